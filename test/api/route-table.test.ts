import type { EndpointSchema, HttpRule, ServiceRecord } from "@micro-ts/runtime";
import { describe, expect, it } from "vitest";
import { fieldMap, requestMessage } from "../../packages/runtime/src/api/request-message.js";
import { createRouteTable } from "../../packages/runtime/src/api/route-table.js";

const endpoint = (name: string, http: HttpRule[] = []): EndpointSchema => ({
  name,
  path: `/x.v1.${name.replace(".", "/")}`,
  kind: "unary",
  request: {
    type: "x.v1.Req",
    fields: [
      { name: "id", type: "string", kind: "scalar" },
      { name: "count", type: "int32", kind: "scalar" },
      { name: "on", type: "bool", kind: "scalar" },
      { name: "tags", type: "string", kind: "scalar", repeated: true },
      { name: "filter", type: "x.v1.Filter", kind: "message" },
    ],
  },
  response: { type: "x.v1.Res", fields: [] },
  http,
});

const record = (name: string, endpoints: EndpointSchema[], version = "1"): ServiceRecord => ({
  name,
  version,
  metadata: {},
  endpoints,
  nodes: [{ id: `${name}-1`, address: "127.0.0.1:1", metadata: {} }],
});

describe("route table", () => {
  const table = createRouteTable([
    record("files", [
      endpoint("Files.Any", [{ method: "GET", path: "/v1/{path=**}" }]),
      endpoint("Files.Get", [{ method: "GET", path: "/v1/files/{id}" }]),
      endpoint("Files.Latest", [{ method: "GET", path: "/v1/files/latest" }]),
      endpoint("Admin.Get"),
    ]),
    record("broken", [endpoint("Broken.Bad", [{ method: "GET", path: "/v1/{a" }])]),
  ]);

  it("prefers more literal segments, and ** last", () => {
    const endpointOf = (path: string) => {
      const match = table.match("GET", path);
      return match.found ? match.schema.name : match.status;
    };
    expect(endpointOf("/v1/files/latest")).toBe("Files.Latest");
    expect(endpointOf("/v1/files/7")).toBe("Files.Get");
    expect(endpointOf("/v1/other/7")).toBe("Files.Any");
  });

  it("reports an invalid template and keeps the other routes", () => {
    expect(table.problems).toEqual([
      {
        service: "broken",
        endpoint: "Broken.Bad",
        reason: 'path template "/v1/{a": unbalanced braces',
      },
    ]);
    expect(table.routes.some((r) => r.endpoint === "Files.Get" && r.source === "http")).toBe(true);
  });

  it("asks for the long path-based form when a method name is ambiguous", () => {
    const short = table.match("POST", "/files/get");
    expect(short).toMatchObject({ found: false, status: 404 });
    expect(!short.found && short.detail).toContain("ambiguous");
    expect(table.match("POST", "/files/Admin/Get")).toMatchObject({
      found: true,
      route: { service: "files", endpoint: "Admin.Get", source: "path" },
    });
  });

  it("answers 405 for path-based routes called with another method, 404 for unknown names", () => {
    expect(table.match("GET", "/files/Admin/Get")).toMatchObject({ status: 405, allow: ["POST"] });
    expect(table.match("POST", "/nobody/hello")).toMatchObject({ status: 404 });
    expect(table.match("POST", "/files/nothing")).toMatchObject({ status: 404 });
  });

  it("answers path-based forms in any case alike, and a POST template on the same path wins", () => {
    const shop = createRouteTable([
      record("shop", [
        endpoint("Shop.Buy"),
        endpoint("Shop.Sell", [{ method: "POST", path: "/shop/sell", body: "*" }]),
      ]),
    ]);
    const buy = { found: true, route: { source: "path", endpoint: "Shop.Buy" } };
    for (const path of [
      "/shop/Buy",
      "/shop/buy",
      "/shop/BUY",
      "/shop/shop/buy",
      "/shop/Shop/Buy",
    ]) {
      expect(shop.match("POST", path)).toMatchObject(buy);
    }
    expect(shop.match("POST", "/shop/buy")).toEqual(shop.match("POST", "/shop/BUY"));
    expect(shop.match("POST", "/shop/sell")).toMatchObject({ route: { source: "http" } });
    expect(shop.match("POST", "/shop/Sell")).toMatchObject({ route: { source: "path" } });
    expect(shop.match("GET", "/shop/buy")).toMatchObject({ status: 405 });
  });
});

describe("request message", () => {
  const schema = fieldMap(endpoint("X.Y").request);
  const route = {
    source: "http",
    method: "GET",
    path: "/",
    service: "x",
    endpoint: "X.Y",
    kind: "unary",
  } as const;

  it("converts top-level scalars, repeats repeated fields, nests dotted names", () => {
    const query = new URLSearchParams(
      "count=3&on=false&tags=a&tags=b&filter.author=ada&filter.year=1",
    );
    expect(
      requestMessage(route, schema, { variables: { id: "7" }, query, body: undefined }),
    ).toEqual({
      id: "7",
      count: 3,
      on: false,
      tags: ["a", "b"],
      filter: { author: "ada", year: "1" },
    });
  });

  it("lets path variables win over query parameters of the same name", () => {
    const query = new URLSearchParams("id=other");
    expect(
      requestMessage(route, schema, { variables: { id: "7" }, query, body: undefined }),
    ).toEqual({ id: "7" });
  });

  it("rejects values that do not fit the field, and prototype keys", () => {
    const bad = (q: string) => () =>
      requestMessage(route, schema, {
        variables: {},
        query: new URLSearchParams(q),
        body: undefined,
      });
    expect(bad("count=many")).toThrow("request field count is a number (int32)");
    expect(bad("on=yes")).toThrow("request field on is a bool");
    expect(bad("__proto__.polluted=1")).toThrow("bad request field name");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("takes the whole body for body *, and refuses a body that is not an object", () => {
    const star = { ...route, body: "*" };
    expect(
      requestMessage(star, schema, {
        variables: { id: "1" },
        query: undefined,
        body: { count: 2 },
      }),
    ).toEqual({
      count: 2,
      id: "1",
    });
    expect(() =>
      requestMessage(star, schema, { variables: {}, query: undefined, body: [1] }),
    ).toThrow("must be a JSON object");
  });
});

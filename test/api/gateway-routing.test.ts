import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewaySandbox, createGatewaySandbox } from "./lib/gateway-sandbox.js";

// Every routing form, against real service processes (examples/greeter and the test's
// library service), through the local registry and through NATS (a nats-server of its own).
describe.each(["local", "nats"] as const)("gateway routing through the %s registry", (kind) => {
  let sandbox: GatewaySandbox;

  beforeAll(async () => {
    sandbox = await createGatewaySandbox(kind);
    await Promise.all([sandbox.startGreeter(), sandbox.startLibrary()]);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(sandbox.url + path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: JSON.parse(text) as any };
  };

  it("routes POST /<service>/<method> and /<service>/<Service>/<Method>", async () => {
    expect(await call("POST", "/greeter/hello", { name: "Ada" })).toMatchObject({
      status: 200,
      json: { message: "Hello Ada" },
    });
    expect((await call("POST", "/greeter/Greeter/Hello", { name: "Bo" })).json).toEqual({
      message: "Hello Bo",
    });
    // The method name matches in any case, as in go-micro's /greeter/hello.
    expect((await call("POST", "/greeter/HELLO", { name: "Cy" })).json).toEqual({
      message: "Hello Cy",
    });
  });

  it("routes the greeter's google.api.http rule (POST, body *)", async () => {
    expect(await call("POST", "/v1/greeter/hello", { name: "Di" })).toMatchObject({
      status: 200,
      json: { message: "Hello Di" },
    });
  });

  it("binds a multi-segment variable {name=shelves/*/books/*} on GET", async () => {
    const { status, json } = await call("GET", "/v1/shelves/s1/books/b2");
    expect(status).toBe(200);
    expect(json).toEqual({
      name: "shelves/s1/books/b2",
      title: "Title of shelves/s1/books/b2",
      author: "Ada",
    });
  });

  it("puts query parameters into request fields: scalars, repeated, nested via dots", async () => {
    const { json } = await call(
      "GET",
      "/v1/shelves/s1/books?pageSize=2&includeDrafts=true&tags=a&tags=b&filter.author=Ada%20L",
    );
    expect(JSON.parse(json.requestJson)).toEqual({
      parent: "shelves/s1",
      pageSize: 2,
      includeDrafts: true,
      tags: ["a", "b"],
      filter: { author: "Ada L", title: "" },
    });
  });

  it("serves additional_bindings", async () => {
    const { status, json } = await call("GET", "/v1/books?pageSize=5");
    expect(status).toBe(200);
    expect(JSON.parse(json.requestJson)).toMatchObject({ parent: "", pageSize: 5 });
  });

  it("puts the body into a field (body: book) beside path variables", async () => {
    const { json } = await call("POST", "/v1/shelves/s1/books", { title: "Dune", author: "x" });
    expect(json.name).toBe("shelves/s1/books/Dune");
    expect(json.title).toBe("Dune");
  });

  it("binds a nested variable {book.name=...} together with a field body (PATCH)", async () => {
    const { json } = await call("PATCH", "/v1/shelves/s1/books/b1", { title: "New title" });
    // proto3 JSON leaves out fields at their default ("" here).
    expect(json).toEqual({ name: "shelves/s1/books/b1", title: "New title" });
  });

  it("routes DELETE without a body", async () => {
    expect((await call("DELETE", "/v1/shelves/s3/books/b9")).json).toEqual({
      deleted: "shelves/s3/books/b9",
    });
  });

  it("routes PUT with body * and a single-segment variable", async () => {
    expect((await call("PUT", "/v1/shelves/s9", { theme: "sea" })).json).toEqual({
      id: "s9",
      theme: "sea",
    });
  });

  it("matches ** across segments, decodes them, and returns only response_body", async () => {
    expect((await call("GET", "/v1/files/a/b/c.txt")).json).toEqual({ path: "a/b/c.txt", size: 9 });
    expect((await call("GET", "/v1/files/my%20dir/x")).json).toEqual({ path: "my dir/x", size: 8 });
  });

  it("routes a custom verb (SEARCH) and a :verb suffix", async () => {
    const search = await rawRequest(sandbox.url, "SEARCH", "/v1/books", '{"query":"q"}');
    expect(search.status).toBe(200);
    expect(JSON.parse(search.body)).toEqual({ titles: ["q 1", "q 2"] });
    expect((await call("POST", "/v1/shelves/s4:archive", {})).json).toEqual({
      id: "shelves/s4",
      archived: true,
    });
  });

  it("streams a GET rule's server stream as SSE", async () => {
    const response = await fetch(`${sandbox.url}/v1/shelves/s1/events?count=2`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(await response.text()).toBe(
      'data: {"parent":"shelves/s1"}\n\n' +
        'data: {"parent":"shelves/s1","index":1}\n\n' +
        "event: end\ndata: {}\n\n",
    );
  });

  it("answers 405 with Allow for a routed path and the wrong method", async () => {
    const { status, headers, json } = await call("GET", "/v1/slow");
    expect(status).toBe(405);
    expect(headers.get("allow")).toBe("POST");
    expect(json.code).toBe(405);
  });

  it("lists the services at GET / and describes the routes at /openapi.json", async () => {
    const index = await call("GET", "/");
    const names = index.json.services.map((s: { name: string }) => s.name);
    // micro.broker: the local broker's subscriptions, registered like a service.
    expect(names).toEqual(["greeter", "library", "micro.broker"]);
    const hello = index.json.services[0].endpoints.find(
      (e: { name: string }) => e.name === "Greeter.Hello",
    );
    expect(hello.routes.map((r: { path: string }) => r.path)).toEqual([
      "/v1/greeter/hello",
      "/greeter/Greeter/Hello",
    ]);

    const { json: doc } = await call("GET", "/openapi.json");
    expect(doc.openapi).toBe("3.1.0");
    const getBook = doc.paths["/v1/{name}"].get;
    expect(getBook.parameters).toEqual([
      { name: "name", in: "path", required: true, schema: { type: "string" } },
    ]);
    const list = doc.paths["/v1/{parent}/books"].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      "path:parent",
      "query:pageSize",
      "query:includeDrafts",
      "query:tags",
    ]);
    expect(
      doc.paths["/v1/{parent}/books"].post.requestBody.content["application/json"].schema,
    ).toEqual({
      type: "object",
      description: "message library.v1.Book",
    });
    expect(doc.paths["/greeter/Greeter/Stream"].post.responses["200"].content).toHaveProperty(
      "text/event-stream",
    );
    expect(doc.components.schemas["greeter.v1.HelloRequest"]).toEqual({
      type: "object",
      properties: { name: { type: "string" } },
    });
  });

  it("lists the routes in gateway.routes()", () => {
    const routes = sandbox.gateway.routes();
    expect(routes).toContainEqual({
      source: "http",
      method: "GET",
      path: "/v1/files/{path=**}",
      service: "library",
      endpoint: "Library.ReadFile",
      kind: "unary",
      responseBody: "content",
    });
    expect(routes.filter((r) => r.source === "path").length).toBe(4 + 14);
  });
});

/** A request with any method token (fetch refuses some), returning status and body. */
function rawRequest(
  base: string,
  method: string,
  path: string,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      base + path,
      { method, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

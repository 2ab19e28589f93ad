import { type Logger, type ServiceRecord, createMemoryRegistry } from "@micro-ts/runtime";
import { describe, expect, it } from "vitest";
import { createRegistryRoutes } from "../../packages/runtime/src/api/registry-routes.js";
import { eventually } from "./lib/gateway-sandbox.js";

const record = (name: string, path: string, node = `${name}-1`): ServiceRecord => ({
  name,
  version: "1",
  metadata: {},
  endpoints: [
    {
      name: "Svc.Get",
      path: "/x.v1.Svc/Get",
      kind: "unary",
      request: { type: "x.v1.Req", fields: [] },
      response: { type: "x.v1.Res", fields: [] },
      http: [{ method: "GET", path }],
    },
  ],
  nodes: [{ id: node, address: "127.0.0.1:1", metadata: {} }],
});

describe("registry routes", () => {
  it("follows registrations and deregistrations, and logs a bad rule once", async () => {
    const registry = createMemoryRegistry();
    const warnings: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
      error() {},
    };
    await registry.register(record("a", "/v1/a"));
    const routes = createRegistryRoutes({ registry, logger });
    await routes.ready();
    const paths = () => routes.current().routes.map((r) => `${r.service} ${r.path}`);
    expect(paths()).toEqual(["a /v1/a", "a /a/Svc/Get"]);

    await registry.register(record("b", "/v1/{b"));
    await eventually("b is in the table", () => paths().includes("b /b/Svc/Get"));
    // A heartbeat re-registers the same record: the table is rebuilt, the warning not repeated.
    await registry.register(record("b", "/v1/{b"));
    await registry.register(record("b", "/v1/{b", "b-2"));
    await eventually(
      "b's second node is seen",
      () => (routes.current().services.get("b")?.[0]?.nodes.length ?? 0) === 2,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('path template \\"/v1/{b\\": unbalanced braces');

    await registry.deregister(record("a", "/v1/a"));
    await eventually("a is gone", () => !paths().some((p) => p.startsWith("a ")));
    expect(routes.current().match("GET", "/v1/a")).toMatchObject({ found: false, status: 404 });
    routes.close();
    await registry.close();
  });

  it("rejects ready() while the registry cannot be read, and succeeds once it can", async () => {
    const registry = createMemoryRegistry();
    let failing = true;
    const flaky = {
      ...registry,
      name: "flaky",
      listServices: () =>
        failing ? Promise.reject(new Error("registry down")) : registry.listServices(),
    };
    const routes = createRegistryRoutes({
      registry: flaky,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    await expect(routes.ready()).rejects.toThrow("registry down");
    failing = false;
    await registry.register(record("c", "/v1/c"));
    await routes.ready();
    expect(routes.current().routes.some((r) => r.service === "c")).toBe(true);
    routes.close();
    await registry.close();
  });
});

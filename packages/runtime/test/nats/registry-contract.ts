// The registry behaviour every engine-backed registry shares (as the memory and local ones
// do in test/registry): merging, deregistering, TTL expiry, watch events, bad input, close.
import { afterEach, expect, it } from "vitest";
import { MicroError } from "../../src/errors/micro-error.js";
import { collect, service, summary } from "../registry/registry-fixtures.js";
import type { Registry, ServiceRecord } from "../../src/registry/registry.js";

export async function eventually(check: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Settings of one run of the contract. */
export interface ContractOptions {
  readonly name: string;
  /** Opens a registry on a namespace of its own (a fresh bucket or key prefix). */
  readonly create: () => Promise<Registry>;
  /** A TTL short enough to wait for, the engine's smallest (etcd leases count seconds). */
  readonly shortTtl: number;
}

/** Declares the shared registry tests inside the caller's `describe`. */
export function registryContract({ name, create, shortTtl }: ContractOptions): void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function open(): Promise<Registry> {
    const registry = await create();
    cleanups.push(() => registry.close());
    return registry;
  }

  it("has the expected name", async () => {
    expect((await open()).name).toBe(name);
  });

  it("merges nodes per name and version, endpoints from the latest registration, seen by another instance", async () => {
    const registry = await open();
    const endpoint = (endpointName: string) => ({
      name: endpointName,
      path: `/greeter.v1.Greeter/${endpointName}`,
      kind: "unary" as const,
      request: { type: "Req", fields: [] },
      response: { type: "Res", fields: [] },
      http: [],
    });
    await registry.register(
      service("greeter", ["a"], { endpoints: [endpoint("Old")], metadata: { rev: "1" } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await registry.register(
      service("greeter", ["b"], { endpoints: [endpoint("New")], metadata: { rev: "2" } }),
    );
    await registry.register(service("greeter", ["c"], { version: "2.0.0" }));
    await registry.register(service("other/ü name", ["x"]));
    for (const reader of [registry, await open()]) {
      await eventually(() => true);
      const records = await reader.getService("greeter");
      expect(records.map((r) => r.version).sort()).toEqual(["1.0.0", "2.0.0"]);
      const v1 = records.find((r) => r.version === "1.0.0") as ServiceRecord;
      expect(v1.nodes.map((n) => n.id)).toEqual(["a", "b"]);
      expect(v1.endpoints.map((e) => e.name)).toEqual(["New"]);
      expect(v1.metadata).toEqual({ rev: "2" });
      expect(v1.nodes[0]?.metadata).toEqual({ transport: "http" });
      expect((await reader.listServices()).map((r) => `${r.name}@${r.version}`).sort()).toEqual([
        "greeter@1.0.0",
        "greeter@2.0.0",
        "other/ü name@1.0.0",
      ]);
      expect(await reader.getService("missing")).toEqual([]);
    }
  });

  it("re-registering a node replaces it; deregistering drops only the given nodes", async () => {
    const registry = await open();
    await registry.register(service("greeter", ["a", "b"]));
    await registry.register({
      ...service("greeter", []),
      nodes: [{ id: "a", address: "10.0.0.1:9", metadata: {} }],
    });
    const [record] = await registry.getService("greeter");
    expect(record?.nodes.find((n) => n.id === "a")).toEqual({
      id: "a",
      address: "10.0.0.1:9",
      metadata: {},
    });
    await registry.deregister(service("greeter", ["a"]));
    expect((await registry.getService("greeter"))[0]?.nodes.map((n) => n.id)).toEqual(["b"]);
    await registry.deregister(service("greeter", ["b"]));
    expect(await registry.getService("greeter")).toEqual([]);
    await registry.deregister(service("greeter", ["never-registered"]));
  });

  it("forgets a node once its TTL passes, and a re-registration extends the TTL", async () => {
    const registry = await open();
    const other = await open();
    await registry.register(service("greeter", ["short"]), { ttl: shortTtl });
    await registry.register(service("greeter", ["kept"]), { ttl: shortTtl });
    await registry.register(service("greeter", ["long"]), { ttl: 60_000 });
    expect((await registry.getService("greeter"))[0]?.nodes).toHaveLength(3);
    const until = Date.now() + shortTtl * 2.5;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, shortTtl / 4));
      await registry.register(service("greeter", ["kept"]), { ttl: shortTtl });
    }
    for (const reader of [registry, other]) {
      expect((await reader.getService("greeter"))[0]?.nodes.map((n) => n.id)).toEqual([
        "kept",
        "long",
      ]);
    }
  });

  it("watch reports create, update and delete with whole records, and expiry as delete", async () => {
    const registry = await open();
    const writer = await open();
    const all = collect(registry.watch());
    const onlyOther = collect(registry.watch({ service: "other" }));
    await registry.listServices();
    await writer.register(service("greeter", ["a"]));
    await eventually(() => all.length === 1);
    await writer.register(service("greeter", ["b"]), { ttl: shortTtl });
    await eventually(() => all.length === 2);
    await writer.register(service("other", ["x"]));
    await eventually(() => all.length === 3);
    await writer.deregister(service("greeter", ["a"]));
    await eventually(() => all.length === 4);
    // b expires on its own: the watcher hears it without anyone reading.
    await eventually(() => all.length === 5, shortTtl * 3 + 2_000);
    expect(summary(all)).toEqual([
      "create:greeter:a",
      "update:greeter:a,b",
      "create:other:x",
      "update:greeter:b",
      "delete:greeter:b",
    ]);
    expect(summary(onlyOther)).toEqual(["create:other:x"]);
  });

  it("rejects bad input with a 400 naming what is wrong", async () => {
    const registry = await open();
    const reject = async (record: unknown, options?: { ttl: number }) => {
      const error = await registry
        .register(record as ServiceRecord, options)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MicroError);
      expect((error as MicroError).code).toBe(400);
      return (error as MicroError).detail;
    };
    expect(await reject({ ...service("greeter", ["a"]), name: "" })).toMatch(/service\.name/);
    expect(await reject(service("greeter", []))).toMatch(/at least one node/);
    expect(await reject(service("greeter", ["a"]), { ttl: -1 })).toMatch(/ttl/);
  });

  it("refuses calls after close and ends its watchers", async () => {
    const registry = await create();
    const watcher = registry.watch();
    const iteration = (async () => {
      for await (const _ of watcher) void _;
      return "ended";
    })();
    await registry.close();
    expect(await iteration).toBe("ended");
    await expect(registry.getService("x")).rejects.toMatchObject({ code: 503 });
  });
}

export { service };

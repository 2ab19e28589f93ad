// Behaviour both registries share: merging, deregistering, TTL expiry, watch events, errors.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MicroError } from "../../src/errors/micro-error.js";
import type { Registry, RegistryEvent, ServiceRecord } from "../../src/registry/registry.js";
import { createLocalRegistry } from "../../src/registry/local-registry.js";
import { createMemoryRegistry } from "../../src/registry/memory-registry.js";
import { eventually } from "./fixtures/child-process.js";
import { collect, service, summary } from "./registry-fixtures.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const factories: [string, () => Promise<Registry>][] = [
  ["memory", async () => createMemoryRegistry()],
  [
    "local",
    async () => {
      const directory = await mkdtemp(join(tmpdir(), "registry-contract-"));
      cleanups.push(() => rm(directory, { recursive: true, force: true }));
      return createLocalRegistry({ directory, pollInterval: 50 });
    },
  ],
];

describe.each(factories)("%s registry", (registryName, create) => {
  async function open(): Promise<Registry> {
    const registry = await create();
    cleanups.push(() => registry.close());
    return registry;
  }

  it("has the expected name", async () => {
    expect((await open()).name).toBe(registryName);
  });

  it("merges nodes per name and version and takes endpoints from the latest registration", async () => {
    const registry = await open();
    const endpoint = (name: string) => ({
      name,
      path: `/greeter.v1.Greeter/${name}`,
      kind: "unary" as const,
      request: { type: "Req", fields: [] },
      response: { type: "Res", fields: [] },
      http: [],
    });
    await registry.register(
      service("greeter", ["a"], { endpoints: [endpoint("Old")], metadata: { rev: "1" } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await registry.register(
      service("greeter", ["b"], { endpoints: [endpoint("New")], metadata: { rev: "2" } }),
    );
    await registry.register(service("greeter", ["c"], { version: "2.0.0" }));
    await registry.register(service("other", ["x"]));

    const records = await registry.getService("greeter");
    expect(records.map((r) => r.version).sort()).toEqual(["1.0.0", "2.0.0"]);
    const v1 = records.find((r) => r.version === "1.0.0") as ServiceRecord;
    expect(v1.nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(v1.endpoints.map((e) => e.name)).toEqual(["New"]);
    expect(v1.metadata).toEqual({ rev: "2" });
    expect(v1.nodes[0]?.metadata).toEqual({ transport: "http" });
    expect((await registry.listServices()).map((r) => `${r.name}@${r.version}`).sort()).toEqual([
      "greeter@1.0.0",
      "greeter@2.0.0",
      "other@1.0.0",
    ]);
    expect(await registry.getService("missing")).toEqual([]);
  });

  it("re-registering a node replaces it instead of duplicating it", async () => {
    const registry = await open();
    await registry.register(service("greeter", ["a"]));
    const moved = service("greeter", ["a"]);
    await registry.register({
      ...moved,
      nodes: [{ id: "a", address: "10.0.0.1:9", metadata: {} }],
    });
    const [record] = await registry.getService("greeter");
    expect(record?.nodes).toEqual([{ id: "a", address: "10.0.0.1:9", metadata: {} }]);
  });

  it("deregisters only the given nodes and drops the record with its last node", async () => {
    const registry = await open();
    await registry.register(service("greeter", ["a", "b"]));
    await registry.deregister(service("greeter", ["a"]));
    expect((await registry.getService("greeter"))[0]?.nodes.map((n) => n.id)).toEqual(["b"]);
    await registry.deregister(service("greeter", ["b"]));
    expect(await registry.getService("greeter")).toEqual([]);
    await registry.deregister(service("greeter", ["never-registered"]));
  });

  it("is not changed by later mutation of the registered object", async () => {
    const registry = await open();
    const record = service("greeter", ["a"], { metadata: { k: "v" } });
    await registry.register(record);
    (record.metadata as Record<string, string>).k = "changed";
    expect((await registry.getService("greeter"))[0]?.metadata).toEqual({ k: "v" });
  });

  it("forgets a node once its TTL passes without a re-registration", async () => {
    const registry = await open();
    await registry.register(service("greeter", ["short"]), { ttl: 150 });
    await registry.register(service("greeter", ["long"]), { ttl: 60_000 });
    expect((await registry.getService("greeter"))[0]?.nodes).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await registry.getService("greeter"))[0]?.nodes.map((n) => n.id)).toEqual(["long"]);
  });

  it("a re-registration extends the TTL", async () => {
    const registry = await open();
    await registry.register(service("greeter", ["a"]), { ttl: 200 });
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await registry.register(service("greeter", ["a"]), { ttl: 200 });
    }
    expect(await registry.getService("greeter")).toHaveLength(1);
  });

  it("watch reports create, update and delete with whole records, and expiry as delete", async () => {
    const registry = await open();
    const all = collect(registry.watch());
    const onlyOther = collect(registry.watch({ service: "other" }));
    await registry.register(service("greeter", ["a"]));
    await eventually(() => all.length === 1);
    await registry.register(service("greeter", ["b"]), { ttl: 300 });
    await eventually(() => all.length === 2);
    await registry.register(service("greeter", ["b"]), { ttl: 300 }); // no change: no event
    await registry.register(service("other", ["x"]));
    await eventually(() => all.length === 3);
    await registry.deregister(service("greeter", ["a"]));
    await eventually(() => all.length === 4);
    // b expires on its own: the watcher hears it without anyone reading.
    await eventually(() => all.length === 5, 3_000);
    expect(summary(all)).toEqual([
      "create:greeter:a",
      "update:greeter:a,b",
      "create:other:x",
      "update:greeter:b",
      "delete:greeter:b",
    ]);
    expect(summary(onlyOther)).toEqual(["create:other:x"]);
  });

  it("stop() ends the iteration of a watcher", async () => {
    const registry = await open();
    const watcher = registry.watch();
    const seen: RegistryEvent[] = [];
    const done = (async () => {
      for await (const event of watcher) seen.push(event);
      return "ended";
    })();
    await registry.register(service("greeter", ["a"]));
    await eventually(() => seen.length === 1);
    watcher.stop();
    expect(await done).toBe("ended");
    await registry.register(service("greeter", ["b"]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(summary(seen)).toEqual(["create:greeter:a"]);
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
    expect(
      await reject({ ...service("greeter", []), nodes: [{ id: "", address: "x", metadata: {} }] }),
    ).toMatch(/nodes\[0\]\.id/);
    expect(await reject({ ...service("greeter", ["a"]), metadata: { n: 1 } })).toMatch(/metadata/);
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
});

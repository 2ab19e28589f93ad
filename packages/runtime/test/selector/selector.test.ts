// The selector over a real (memory) registry: strategies, filters, errors, marking, caching.
import { afterEach, describe, expect, it } from "vitest";
import {
  MicroError,
  internalServerError,
  serviceUnavailable,
} from "../../src/errors/micro-error.js";
import type { Registry, ServiceNode } from "../../src/registry/registry.js";
import { createMemoryRegistry } from "../../src/registry/memory-registry.js";
import { createSelector, type SelectorOptions } from "../../src/selector/registry-selector.js";
import { eventually } from "../registry/fixtures/child-process.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function node(id: string, transport = "http"): ServiceNode {
  return { id, address: `127.0.0.1:${id.charCodeAt(0)}`, metadata: { transport } };
}

async function registryWith(nodes: ServiceNode[], name = "greeter"): Promise<Registry> {
  const registry = createMemoryRegistry();
  cleanups.push(() => registry.close());
  await registry.register({ name, version: "1", metadata: {}, endpoints: [], nodes });
  return registry;
}

/** Wraps a registry to count the reads that reach it. */
function counting(registry: Registry): Registry & { reads: number } {
  const counted = Object.create(registry) as Registry & { reads: number };
  counted.reads = 0;
  counted.getService = (name) => {
    counted.reads++;
    return registry.getService(name);
  };
  return counted;
}

function selector(options: SelectorOptions) {
  const created = createSelector(options);
  cleanups.push(() => created.close());
  return created;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("selector", () => {
  it("random spreads calls over every node", async () => {
    const registry = await registryWith([node("a"), node("b"), node("c")]);
    const s = selector({ registry });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) counts[(await s.select("greeter"))().id]! += 1;
    for (const count of Object.values(counts)) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });

  it("random tries each node once before repeating within one call's retries", async () => {
    const registry = await registryWith([node("a"), node("b"), node("c")]);
    const next = await selector({ registry }).select("greeter");
    const ids = [next().id, next().id, next().id];
    expect(new Set(ids).size).toBe(3);
    expect(["a", "b", "c"]).toContain(next().id);
  });

  it("roundRobin cycles through the nodes, independently per selector", async () => {
    const registry = await registryWith([node("a"), node("b"), node("c")]);
    const first = selector({ registry, strategy: "roundRobin" });
    const second = selector({ registry, strategy: "roundRobin" });
    const fromFirst: string[] = [];
    for (let i = 0; i < 9; i++) {
      fromFirst.push((await first.select("greeter"))().id);
      if (i % 2 === 0) await second.select("greeter").then((next) => next());
    }
    // Whatever the start, the order is the fixed cycle a -> b -> c.
    const cycle = ["a", "b", "c"];
    const start = cycle.indexOf(fromFirst[0] as string);
    expect(fromFirst).toEqual(Array.from({ length: 9 }, (_, i) => cycle[(start + i) % 3]));
    const next = await first.select("greeter");
    expect([next().id, next().id, next().id].sort()).toEqual(["a", "b", "c"]);
  });

  it("throws 404 for an unknown service and 503 when no node is usable", async () => {
    const registry = await registryWith([node("a", "grpc")]);
    const s = selector({ registry });
    const unknown = await s.select("nope").catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(MicroError);
    expect(unknown).toMatchObject({
      code: 404,
      detail: "service nope not found in the memory registry",
    });
    const filtered = await s
      .select("greeter", { filter: (n) => n.metadata.transport === "http" })
      .catch((e: unknown) => e);
    expect(filtered).toMatchObject({ code: 503 });
    expect((filtered as MicroError).detail).toMatch(/greeter has 1 node.*none this client can use/);
  });

  it("filter narrows the nodes a call may use", async () => {
    const registry = await registryWith([node("a", "grpc"), node("b", "http"), node("c", "grpc")]);
    const s = selector({ registry });
    for (let i = 0; i < 50; i++) {
      const next = await s.select("greeter", { filter: (n) => n.metadata.transport === "grpc" });
      expect(["a", "c"]).toContain(next().id);
    }
  });

  it("skips a node marked with a connection failure, then tries it again after the backoff", async () => {
    const registry = await registryWith([node("a"), node("b")]);
    const s = selector({ registry, strategy: "roundRobin", markBackoff: 150 });
    s.mark("greeter", node("a"), serviceUnavailable("x", "connection refused"));
    for (let i = 0; i < 10; i++) expect((await s.select("greeter"))().id).toBe("b");
    await sleep(200);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await s.select("greeter"))().id);
    expect(seen).toEqual(new Set(["a", "b"]));
  });

  it("a success clears the mark and application errors never mark", async () => {
    const registry = await registryWith([node("a"), node("b")]);
    const s = selector({ registry, strategy: "roundRobin", markBackoff: 60_000 });
    s.mark("greeter", node("a"), new Error("ECONNRESET"));
    for (let i = 0; i < 4; i++) expect((await s.select("greeter"))().id).toBe("b");
    s.mark("greeter", node("a"), undefined);
    s.mark("greeter", node("b"), internalServerError("greeter", "handler bug"));
    s.mark("greeter", node("b"), new MicroError("greeter", 404, "no such user"));
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await s.select("greeter"))().id);
    expect(seen).toEqual(new Set(["a", "b"]));
  });

  it("still returns a node when every node is marked", async () => {
    const registry = await registryWith([node("a"), node("b")]);
    const s = selector({ registry });
    s.mark("greeter", node("a"), new Error("down"));
    s.mark("greeter", node("b"), new Error("down"));
    expect(["a", "b"]).toContain((await s.select("greeter"))().id);
  });

  it("a mark made during a call's retries steers its next attempt", async () => {
    const registry = await registryWith([node("a"), node("b"), node("c")]);
    const s = selector({ registry, strategy: "roundRobin" });
    const next = await s.select("greeter");
    const first = next();
    s.mark("greeter", first, new Error("refused"));
    const picks = [next().id, next().id, next().id, next().id];
    expect(picks).not.toContain(first.id);
  });

  it("doubles the skip for consecutive failures, up to the maximum", async () => {
    const registry = await registryWith([node("a"), node("b")]);
    const s = selector({
      registry,
      strategy: "roundRobin",
      markBackoff: 300,
      markMaxBackoff: 1_000,
    });
    const skipped = async () => {
      for (let i = 0; i < 2; i++) if ((await s.select("greeter"))().id === "a") return false;
      return true;
    };
    const started = Date.now();
    s.mark("greeter", node("a"), new Error("down"));
    s.mark("greeter", node("a"), new Error("down again")); // second failure: 600 ms
    await sleep(350);
    if (Date.now() - started < 600) expect(await skipped()).toBe(true); // past the first 300 ms
    await sleep(600 - (Date.now() - started) + 20);
    expect(await skipped()).toBe(false);
    for (let i = 0; i < 5; i++) s.mark("greeter", node("a"), new Error("down"));
    // Uncapped this would be 300 * 2^6 ms; the cap keeps it at 1 s.
    await sleep(1_050);
    expect(await skipped()).toBe(false);
  });

  it("serves lookups from a cache kept fresh by the registry's watch", async () => {
    const base = await registryWith([node("a")]);
    const registry = counting(base);
    const s = selector({ registry });
    for (let i = 0; i < 100; i++) await s.select("greeter");
    expect(registry.reads).toBe(1);

    await base.register({
      name: "greeter",
      version: "1",
      metadata: {},
      endpoints: [],
      nodes: [node("b")],
    });
    await eventually(async () => {
      const next = await s.select("greeter");
      return new Set([next().id, next().id]).size === 2;
    });
    await base.deregister({
      name: "greeter",
      version: "1",
      metadata: {},
      endpoints: [],
      nodes: [node("a"), node("b")],
    });
    await eventually(
      async () => (await s.select("greeter").catch((e: MicroError) => e.code)) === 404,
    );
    expect(registry.reads).toBe(1); // even the 404 came from the watched cache
    // A service that appears after a 404 is seen through the watch, with no new read.
    await base.register({
      name: "greeter",
      version: "2",
      metadata: {},
      endpoints: [],
      nodes: [node("c")],
    });
    await eventually(async () => (await s.select("greeter").catch(() => undefined)) !== undefined);
    expect((await s.select("greeter"))().id).toBe("c");
    expect(await s.select("unknown").catch((e: MicroError) => e.code)).toBe(404);
    expect(registry.reads).toBe(2);
  });

  it("re-reads a cached service after the cache TTL", async () => {
    const registry = counting(await registryWith([node("a")]));
    const s = selector({ registry, cacheTtl: 50 });
    await s.select("greeter");
    await s.select("greeter");
    expect(registry.reads).toBe(1);
    await sleep(80);
    await s.select("greeter");
    expect(registry.reads).toBe(2);
  });

  it("shares one registry read among concurrent first lookups", async () => {
    const registry = counting(await registryWith([node("a")]));
    const s = selector({ registry });
    await Promise.all(Array.from({ length: 20 }, () => s.select("greeter")));
    expect(registry.reads).toBe(1);
  });

  it("selectCached answers without a promise once the service is cached, and follows changes", async () => {
    const base = await registryWith([node("a")]);
    const registry = counting(base);
    const s = selector({ registry, cacheTtl: 60_000 });
    expect(s.selectCached?.("greeter")).toBeUndefined(); // not looked up yet: no read either
    expect(registry.reads).toBe(0);
    await s.select("greeter");
    expect(s.selectCached?.("greeter")?.().id).toBe("a");
    // The same filter on the same records is one memoized node list; a new node still shows.
    const grpcOnly = (n: ServiceNode) => n.metadata["transport"] === "grpc";
    expect(() => s.selectCached?.("greeter", { filter: grpcOnly })).toThrow(/none this client/);
    await base.register({
      name: "greeter",
      version: "2",
      metadata: {},
      endpoints: [],
      nodes: [node("g", "grpc")],
    });
    await eventually(async () => s.selectCached?.("greeter", { filter: grpcOnly }) !== undefined);
    expect(s.selectCached?.("greeter", { filter: grpcOnly })?.().id).toBe("g");
    expect(registry.reads).toBe(1);
    await s.close();
    expect(s.selectCached?.("greeter")).toBeUndefined();
  });

  it("rejects bad options and refuses to select after close", async () => {
    const registry = await registryWith([node("a")]);
    expect(() => createSelector({ registry, strategy: "fastest" as "random" })).toThrow(
      /unknown strategy "fastest"/,
    );
    expect(() => createSelector({ registry, markBackoff: 0 })).toThrow(/markBackoff/);
    const s = createSelector({ registry });
    await s.close();
    await expect(s.select("greeter")).rejects.toMatchObject({ code: 503 });
  });
});

// The local registry across real processes: registration, kill -9, TTL, watch, concurrency.
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MicroError } from "../../src/errors/micro-error.js";
import type { RegistryEvent, ServiceRecord } from "../../src/registry/registry.js";
import { createLocalRegistry } from "../../src/registry/local-registry.js";
import { defaultRegistryDirectory } from "../../src/registry/local-registry-files.js";
import { type Child, eventually, startChild } from "./fixtures/child-process.js";

const script = join(import.meta.dirname, "fixtures", "register-node.ts");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "local-registry-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

function child(args: string[], env: Record<string, string> = {}): Child {
  const started = startChild(script, args, env);
  cleanups.push(() => started.kill9());
  return started;
}

const nodeIds = (records: ServiceRecord[]) =>
  records.flatMap((r) => r.nodes.map((n) => n.id)).sort();

describe("local registry", () => {
  it("defaults to a per-user folder under the OS temp folder", () => {
    expect(defaultRegistryDirectory()).toBe(join(tmpdir(), `micro-registry-${process.getuid?.()}`));
  });

  it("sees a node registered by another process, and forgets it at once when it is killed", async () => {
    const directory = await tempDirectory();
    const registry = createLocalRegistry({ directory });
    cleanups.push(() => registry.close());
    const worker = child([directory, "greeter", "greeter-1", "90000"]);
    await worker.waitFor(/ready/);

    const [record] = await registry.getService("greeter");
    expect(record?.nodes).toEqual([
      { id: "greeter-1", address: `127.0.0.1:${worker.process.pid}`, metadata: {} },
    ]);
    expect(record?.metadata).toEqual({ pid: String(worker.process.pid) });

    await worker.kill9();
    // The TTL is 90 s, but the pid check on the same host drops the node now, and the
    // reader deletes the file of the dead process.
    expect(await registry.getService("greeter")).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
  });

  it("keeps a killed node of another host until its TTL passes", async () => {
    const directory = await tempDirectory();
    const registry = createLocalRegistry({ directory });
    cleanups.push(() => registry.close());
    const worker = child([directory, "greeter", "remote-1", "1500", "other-host"]);
    await worker.waitFor(/ready/);
    const registeredAt = Date.now();
    await worker.kill9();
    expect(nodeIds(await registry.getService("greeter"))).toEqual(["remote-1"]);
    await eventually(async () => (await registry.getService("greeter")).length === 0, 5_000);
    // Gone by TTL (1.5 s after the child registered), not by the pid check.
    expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(1_000);
  });

  it("watch reports another process's node as created and its death as a delete", async () => {
    const directory = await tempDirectory();
    const registry = createLocalRegistry({ directory, pollInterval: 200 });
    cleanups.push(() => registry.close());
    const events: RegistryEvent[] = [];
    const watcher = registry.watch({ service: "greeter" });
    void (async () => {
      for await (const event of watcher) events.push(event);
    })();

    const worker = child([directory, "greeter", "greeter-1", "90000"]);
    const other = child([directory, "unrelated", "unrelated-1", "90000"]);
    await Promise.all([worker.waitFor(/ready/), other.waitFor(/ready/)]);
    await eventually(() => events.length === 1);
    expect(events[0]?.type).toBe("create");
    expect(nodeIds([events[0]?.service as ServiceRecord])).toEqual(["greeter-1"]);

    await worker.kill9();
    const killedAt = Date.now();
    await eventually(() => events.length === 2, 5_000);
    const noticedAfter = Date.now() - killedAt;
    expect(events[1]?.type).toBe("delete");
    expect(events[1]?.service.name).toBe("greeter");
    // Poll is 200 ms: the death is seen long before the 90 s TTL.
    expect(noticedAfter).toBeLessThan(1_500);
  });

  it("stays consistent while many processes re-register at once", async () => {
    const directory = await tempDirectory();
    const registry = createLocalRegistry({ directory });
    cleanups.push(() => registry.close());
    const workers = Array.from({ length: 6 }, (_, i) =>
      child([directory, "busy", `busy-${i}`, "90000"], { REREGISTER_MS: "5" }),
    );
    await Promise.all(workers.map((worker) => worker.waitFor(/ready/)));
    // Readers never see a partial file: every read during the storm shows all six nodes.
    for (let i = 0; i < 100; i++) {
      expect(nodeIds(await registry.getService("busy"))).toHaveLength(6);
    }
    const leftovers = (await readdir(directory)).filter((name) => !name.endsWith(".json"));
    // Temporary files do not pile up: at most one per writer is in flight.
    expect(leftovers.length).toBeLessThanOrEqual(6);
  });

  it("skips foreign or truncated files in its folder", async () => {
    const directory = await tempDirectory();
    const registry = createLocalRegistry({ directory });
    cleanups.push(() => registry.close());
    await writeFile(join(directory, "junk@1@x.json"), "{ not json");
    await writeFile(
      join(directory, "other@1@y.json"),
      JSON.stringify({ format: 1, name: "other" }),
    );
    await registry.register({
      name: "ok",
      version: "",
      metadata: {},
      endpoints: [],
      nodes: [{ id: "ok-1", address: "127.0.0.1:1", metadata: {} }],
    });
    expect((await registry.listServices()).map((r) => r.name)).toEqual(["ok"]);
  });

  it("removes temporary files that a killed writer left behind", async () => {
    const directory = await tempDirectory();
    const registry = createLocalRegistry({ directory });
    cleanups.push(() => registry.close());
    const stale = join(directory, ".tmp-999999-abcdef");
    const fresh = join(directory, ".tmp-999998-abcdef");
    await writeFile(stale, "{");
    await writeFile(fresh, "{");
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(stale, longAgo, longAgo);
    await registry.register({
      name: "ok",
      version: "1",
      metadata: {},
      endpoints: [],
      nodes: [{ id: "ok-1", address: "127.0.0.1:1", metadata: {} }],
    });
    // A fresh one may be a write in progress in another process: it stays.
    expect((await readdir(directory)).sort()).toEqual([".tmp-999998-abcdef", "ok@1@ok-1.json"]);
  });

  it("names an unusable directory and says what to do", async () => {
    const parent = await tempDirectory();
    await writeFile(join(parent, "file"), "");
    const directory = join(parent, "file", "registry");
    const registry = createLocalRegistry({ directory });
    const error = await registry
      .register({
        name: "greeter",
        version: "1",
        metadata: {},
        endpoints: [],
        nodes: [{ id: "g-1", address: "127.0.0.1:1", metadata: {} }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect((error as MicroError).detail).toContain(directory);
    expect((error as MicroError).detail).toContain("ENOTDIR");
    expect((error as MicroError).detail).toContain("MICRO_REGISTRY_ADDRESS");
    expect(() => registry.watch()).toThrow(/MICRO_REGISTRY_ADDRESS/);
    await registry.close();
  });

  it("refuses a registration too large for one node file", async () => {
    const registry = createLocalRegistry({ directory: await tempDirectory() });
    cleanups.push(() => registry.close());
    const error = await registry
      .register({
        name: "big",
        version: "1",
        metadata: { blob: "x".repeat(2 * 1024 * 1024) },
        endpoints: [],
        nodes: [{ id: "big-1", address: "127.0.0.1:1", metadata: {} }],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 413 });
  });
});

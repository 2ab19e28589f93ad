// Registry: (1) lookup latency through a client's selector, served from its watched cache,
// beside a direct registry.getService() per call; (2) the time until a node registered by
// another process is in a client's cache, beside the engine's own raw watch (a raw KV put
// seen by a raw KV watch, an etcd put seen by an etcd watch, a file seen by fs.watch) on
// the same engine in the same run. NATS and etcd run on their own servers on free ports;
// local is the reference. The registering side is a child process (this file in
// BENCH_REGISTRY_ROLE=registrar mode) with its own connection; both times run from the
// start of the write (registry.register: for etcd a lease grant and a put) to the moment
// the parent holds the entry.
// Usage: BENCH_LOOKUPS (default 20 000), BENCH_SAMPLES (default 20), BENCH_ONLY_REGISTRY=nats,etcd.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { type FSWatcher, mkdtempSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as tick } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  type Registry,
  type ServiceRecord,
  createLocalRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { createEtcdRegistry } from "@micro-ts/runtime/etcd";
import { createNatsRegistry } from "@micro-ts/runtime/nats";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { Etcd3 } from "etcd3";
import { createServiceCache } from "../packages/runtime/src/selector/service-cache.js";
import { startEtcdServer } from "../packages/runtime/test/etcd/etcd-server.js";
import { startNatsServer } from "../packages/runtime/test/nats/nats-server.js";
import { type Figure, report } from "./lib/report.js";
import { median } from "./lib/median.js";

type Kind = "local" | "nats" | "etcd";

/** Where one kind's registry and raw baseline live; passed to the registrar as JSON. */
interface Setup {
  readonly kind: Kind;
  /** Local: the registry folder; NATS/etcd: the server address. */
  readonly address: string;
  /** Local: the raw folder; NATS: the raw KV bucket; etcd: the raw key prefix. */
  readonly raw: string;
  /** NATS: the registry's bucket; etcd: the registry's key prefix. */
  readonly namespace: string;
}

type Command =
  | { readonly op: "register"; readonly seq: number; readonly id: string }
  | { readonly op: "raw"; readonly seq: number; readonly id: string }
  | { readonly op: "close"; readonly seq: number };

interface Reply {
  readonly seq: number;
  /** Epoch ms (sub-ms precision) just before the write started. */
  readonly at: number;
}

const SERVICE = "bench-registry";
const silent = { debug() {}, info() {}, warn() {}, error() {} };
/** Wall clock with sub-ms precision, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

function openRegistry(setup: Setup): Registry {
  switch (setup.kind) {
    case "local":
      return createLocalRegistry({ directory: setup.address });
    case "nats":
      return createNatsRegistry({ servers: setup.address, bucket: setup.namespace });
    case "etcd":
      return createEtcdRegistry({ hosts: setup.address, prefix: setup.namespace });
  }
}

function record(id: string): ServiceRecord {
  return {
    name: SERVICE,
    version: "1.0.0",
    metadata: {},
    endpoints: [],
    nodes: [{ id, address: "127.0.0.1:1", metadata: { transport: "http" } }],
  };
}

/** The other side: registers nodes (and writes raw entries) when the parent says so. */
async function registrar(setup: Setup): Promise<void> {
  const registry = openRegistry(setup);
  const registered: ServiceRecord[] = [];
  let rawWrite: (id: string) => Promise<void>;
  let rawClose: () => Promise<void>;
  if (setup.kind === "nats") {
    const nc = await connect({ servers: setup.address });
    const kv = await new Kvm(nc).open(setup.raw);
    rawWrite = async (id) => void (await kv.put(`raw.${id}`, id));
    rawClose = () => nc.close();
  } else if (setup.kind === "etcd") {
    const client = new Etcd3({ hosts: setup.address });
    rawWrite = async (id) => void (await client.put(`${setup.raw}${id}`).value(id));
    rawClose = async () => client.close();
  } else {
    rawWrite = async (id) => writeFileSync(join(setup.raw, `${id}.json`), id);
    rawClose = async () => {};
  }
  const send = (reply: Reply) => process.send?.(reply);
  process.on("message", (command: Command) => {
    void (async () => {
      const at = now();
      if (command.op === "register") {
        const service = record(command.id);
        await registry.register(service, { ttl: 120_000 });
        registered.push(service);
      } else if (command.op === "raw") {
        await rawWrite(command.id);
      } else {
        for (const service of registered) await registry.deregister(service);
        await registry.close();
        await rawClose();
        send({ seq: command.seq, at });
        process.disconnect();
        return;
      }
      send({ seq: command.seq, at });
    })().catch((error: unknown) => {
      console.error(`registrar ${command.op} failed: ${String(error)}`);
      process.exit(1);
    });
  });
  send({ seq: 0, at: now() });
}

/** The registrar process for `setup`, and a way to send it commands. */
async function startRegistrar(setup: Setup) {
  const script = fileURLToPath(import.meta.url);
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, BENCH_REGISTRY_ROLE: "registrar", BENCH_SETUP: JSON.stringify(setup) },
  });
  const waiting = new Map<number, (reply: Reply) => void>();
  child.on("message", (reply: Reply) => waiting.get(reply.seq)?.(reply));
  const ready = new Promise<Reply>((resolve) => waiting.set(0, resolve));
  await Promise.race([
    ready,
    once(child, "exit").then(([code]) => {
      throw new Error(`registrar for ${setup.kind} exited ${String(code)} before it was ready`);
    }),
  ]);
  let seq = 0;
  return {
    send(command: { op: "register" | "raw"; id: string } | { op: "close" }): Promise<Reply> {
      const current = ++seq;
      const reply = new Promise<Reply>((resolve) => waiting.set(current, resolve));
      child.send({ ...command, seq: current });
      return reply;
    },
    exited: () => (child.exitCode === null ? once(child, "exit") : Promise.resolve()),
  };
}

/** Raw watcher of the engine: resolves `seen(id)` with the epoch ms the entry arrived. */
async function rawWatch(setup: Setup) {
  const seenAt = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const arrived = (id: string) => {
    const at = now();
    if (seenAt.has(id)) return;
    seenAt.set(id, at);
    waiters.get(id)?.(at);
  };
  let close: () => Promise<void>;
  if (setup.kind === "nats") {
    const nc = await connect({ servers: setup.address });
    const kv = await new Kvm(nc).create(setup.raw, { history: 1 });
    const iterator = await kv.watch({ key: "raw.>" });
    void (async () => {
      for await (const entry of iterator) if (entry.operation === "PUT") arrived(entry.string());
    })();
    close = async () => {
      iterator.stop();
      await kv.destroy();
      await nc.close();
    };
  } else if (setup.kind === "etcd") {
    const client = new Etcd3({ hosts: setup.address });
    const watcher = await client.watch().prefix(setup.raw).create();
    watcher.on("put", (kv) => arrived(kv.value.toString()));
    close = async () => {
      await watcher.cancel();
      client.close();
    };
  } else {
    const watcher: FSWatcher = watch(setup.raw, (_event, file) => {
      if (file?.endsWith(".json")) arrived(file.slice(0, -".json".length));
    });
    close = async () => watcher.close();
  }
  return {
    seen(id: string): Promise<number> {
      const at = seenAt.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiters.set(id, resolve));
    },
    close: () => close(),
  };
}

async function microsPerOp(count: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, count); i++) await op();
  const started = performance.now();
  for (let i = 0; i < count; i++) await op();
  return ((performance.now() - started) * 1000) / count;
}

/** Both figures of one registry kind. */
async function measure(setup: Setup, lookups: number, samples: number): Promise<Figure[]> {
  const raw = await rawWatch(setup);
  const registrar = await startRegistrar(setup);
  const registry = openRegistry(setup);
  const selector = createSelector({ registry, logger: silent });
  const cache = createServiceCache({ registry, logger: silent });
  try {
    // A first node, so the service is known and the client's cache and watch are warm.
    await registrar.send({ op: "register", id: "seed" });
    const hasNode = async (id: string) =>
      (await cache.get(SERVICE)).some((r) => r.nodes.some((node) => node.id === id));
    while (!(await hasNode("seed"))) await tick();
    await selector.select(SERVICE);

    const cached = await microsPerOp(lookups, async () => (await selector.select(SERVICE))());
    const direct = await microsPerOp(
      setup.kind === "nats" ? lookups : Math.ceil(lookups / 10),
      () => registry.getService(SERVICE),
    );

    const seenByCache: number[] = [];
    const seenByRaw: number[] = [];
    for (let i = 0; i < samples; i++) {
      // Alternate which side goes first so neither always meets a warmer engine.
      const sides = [
        async () => {
          const id = `node-${i}`;
          const { at } = await registrar.send({ op: "register", id });
          while (!(await hasNode(id))) await tick();
          seenByCache.push(now() - at);
        },
        async () => {
          const id = `raw-${i}`;
          const { at } = await registrar.send({ op: "raw", id });
          seenByRaw.push((await raw.seen(id)) - at);
        },
      ];
      if (i % 2 === 1) sides.reverse();
      for (const side of sides) await side();
    }
    const engine = { local: "fs.watch", nats: "raw KV watch", etcd: "raw etcd watch" }[setup.kind];
    console.log(
      `${setup.kind}: lookup ${cached.toFixed(2)} µs from the cache vs ${direct.toFixed(2)} µs direct; ` +
        `new node seen after ${median(seenByCache).toFixed(2)} ms (cache) vs ${median(seenByRaw).toFixed(2)} ms (${engine}), median of ${samples}`,
    );
    return [
      {
        bench: `registry.${setup.kind}.lookup`,
        value: cached,
        baseline: direct,
        unit: "µs (cached select vs direct getService)",
      },
      {
        bench: `registry.${setup.kind}.new-node-seen`,
        value: median(seenByCache),
        baseline: median(seenByRaw),
        unit: `ms (client cache vs ${engine})`,
      },
    ];
  } finally {
    await registrar.send({ op: "close" });
    await registrar.exited();
    cache.close();
    await selector.close();
    await registry.close();
    await raw.close();
  }
}

async function main(): Promise<void> {
  const lookups = Number(process.env["BENCH_LOOKUPS"] ?? 20_000);
  const samples = Number(process.env["BENCH_SAMPLES"] ?? 20);
  const only = process.env["BENCH_ONLY_REGISTRY"]?.split(",").map((name) => name.trim());
  const wanted = (kind: Kind) => !only || only.includes(kind);
  const figures: Figure[] = [];

  if (wanted("local")) {
    const address = mkdtempSync(join(tmpdir(), "bench-registry-"));
    const rawDir = mkdtempSync(join(tmpdir(), "bench-registry-raw-"));
    try {
      figures.push(
        ...(await measure(
          { kind: "local", address, raw: rawDir, namespace: "" },
          lookups,
          samples,
        )),
      );
    } finally {
      rmSync(address, { recursive: true, force: true });
      rmSync(rawDir, { recursive: true, force: true });
    }
  }
  if (wanted("nats")) {
    const nats = await startNatsServer();
    try {
      const setup: Setup = {
        kind: "nats",
        address: nats.address,
        raw: `bench-raw-${randomUUID()}`,
        namespace: `bench-registry-${randomUUID()}`,
      };
      figures.push(...(await measure(setup, lookups, samples)));
    } finally {
      await nats.close();
    }
  }
  if (wanted("etcd")) {
    const etcd = await startEtcdServer();
    try {
      const setup: Setup = {
        kind: "etcd",
        address: etcd.address,
        raw: "/bench-raw/",
        namespace: "/bench-registry",
      };
      figures.push(...(await measure(setup, lookups, samples)));
    } finally {
      await etcd.close();
    }
  }
  report(
    "Registry: lookups from the client's watched cache vs direct; new node seen by a client vs the engine's raw watch",
    figures,
  );
}

const setupJson = process.env["BENCH_SETUP"];
if (process.env["BENCH_REGISTRY_ROLE"] === "registrar" && setupJson !== undefined) {
  await registrar(JSON.parse(setupJson) as Setup);
} else {
  await main();
}

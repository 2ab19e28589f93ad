// Faults on the etcd registry with the http transport, each against an etcd of its own:
// (2) kill -9 of one of three greeters under load, (4) SIGTERM under load, (5) etcd down:
// calls go on from the client's cache and a registration waits for etcd to come back.
import { afterEach, expect, it } from "vitest";
import {
  type Logger,
  createClient,
  createConsoleLogger,
  createHttpTransport,
  createMemoryBroker,
  createSelector,
} from "@micro-ts/runtime";
import { createEtcdRegistry } from "@micro-ts/runtime/etcd";
import { createGreeterClient } from "../../examples/greeter/gen/greeter/v1/greeter.micro.js";
import {
  type Greeter,
  report,
  runLoad,
  startEtcdServer,
  startGreeter,
  waitUntil,
} from "./lib/cluster.js";

const TTL = 3_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { cacheTtl?: number; logger?: Logger } = {}) {
  const etcd = await startEtcdServer();
  cleanups.push(() => etcd.close());
  const env = {
    MICRO_REGISTRY: "etcd",
    MICRO_REGISTRY_ADDRESS: etcd.address,
    // An etcd registry would advertise the host's interface address; load stays on loopback.
    MICRO_SERVER_ADDRESS: "127.0.0.1:0",
    MICRO_BROKER: "memory",
    MICRO_REGISTER_TTL: `${TTL}ms`,
    MICRO_REGISTER_INTERVAL: "1s",
  };
  const greeters: Greeter[] = [];
  cleanups.push(async () => {
    await Promise.all(greeters.map((g) => g.stop("SIGKILL")));
  });
  const start = async (extra: Record<string, string> = {}) => {
    const greeter = await startGreeter({ ...env, ...extra });
    greeters.push(greeter);
    return greeter;
  };
  const registry = createEtcdRegistry({ hosts: etcd.address });
  const selector = createSelector({
    registry,
    ...(options.cacheTtl === undefined ? {} : { cacheTtl: options.cacheTtl }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const client = createClient({
    transport: createHttpTransport(),
    selector,
    broker: createMemoryBroker(),
    retries: 3,
  });
  cleanups.push(async () => {
    await client.close();
    await selector.close();
    await registry.close();
  });
  const nodes = async () => (await registry.getService("greeter"))[0]?.nodes.length ?? 0;
  return {
    etcd,
    env,
    start,
    greeters,
    registry,
    client,
    nodes,
    greeter: createGreeterClient(client, "greeter"),
  };
}

it("kill -9 of one of three etcd greeters under load: zero failed calls, lease gone within the TTL", async () => {
  const { start, greeters, greeter, nodes } = await setup();
  await Promise.all([start(), start(), start()]);
  await waitUntil(async () => (await nodes()) === 3, 10_000);
  const load = runLoad(
    (onResponseMetadata) => greeter.hello({ name: "Ada" }, { onResponseMetadata }),
    8,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const victim = greeters[0] as Greeter;
  victim.child.kill("SIGKILL");
  await victim.exited;
  const okAtKill = load.result.ok;
  const gone = await waitUntil(async () => (await nodes()) === 2, TTL + 4_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await load.stop();
  report("kill -9 on etcd + http", {
    calls: result.ok + result.failed,
    failed: result.failed,
    callsAfterKill: result.ok - okAtKill,
    servedBy: result.servedBy,
    deadNodeGoneAfterMs: gone,
    ttlMs: TTL,
  });
  expect(result.errors).toEqual([]);
  expect(result.ok - okAtKill).toBeGreaterThan(50);
  // etcd leases count whole seconds and expire on the leader's next check.
  expect(gone).toBeLessThanOrEqual(TTL + 1_500);
});

it("SIGTERM under load: zero failed calls, deregistered before the process is gone", async () => {
  const { start, greeters, greeter, registry } = await setup();
  await Promise.all([start(), start()]);
  const events: { type: string; nodes: number; at: number }[] = [];
  const watcher = registry.watch({ service: "greeter" });
  void (async () => {
    for await (const event of watcher)
      events.push({ type: event.type, nodes: event.service.nodes.length, at: Date.now() });
  })();
  await waitUntil(async () => events.at(-1)?.nodes === 2, 10_000);
  const load = runLoad(
    (onResponseMetadata) => greeter.hello({ name: "Ada" }, { onResponseMetadata }),
    8,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const victim = greeters[0] as Greeter;
  const termAt = Date.now();
  const code = await victim.stop("SIGTERM");
  const exitedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await load.stop();
  watcher.stop();
  const deregistered = events.find((event) => event.at >= termAt && event.nodes === 1);
  report("SIGTERM on etcd + http", {
    calls: result.ok + result.failed,
    failed: result.failed,
    servedBy: result.servedBy,
    exitCode: code,
    deregisteredAfterMs: deregistered ? deregistered.at - termAt : undefined,
    exitedAfterMs: exitedAt - termAt,
  });
  expect(code).toBe(0);
  expect(result.errors).toEqual([]);
  expect(deregistered).toBeDefined();
  expect((deregistered as { at: number }).at).toBeLessThanOrEqual(exitedAt);
});

it("etcd down: known services keep answering from the cache; a new node registers once etcd is back", async () => {
  const lines: string[] = [];
  const logger = createConsoleLogger({ name: "client", write: (line) => lines.push(line) });
  const { etcd, start, greeter, nodes } = await setup({ cacheTtl: 300, logger });
  await Promise.all([start(), start()]);
  await waitUntil(async () => (await nodes()) === 2, 10_000);
  const load = runLoad(
    (onResponseMetadata) => greeter.hello({ name: "Ada" }, { onResponseMetadata }),
    4,
    10,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  await etcd.stop();
  const okAtOutage = load.result.ok;
  // A node started during the outage waits for etcd (up to MICRO_CONNECT_TIMEOUT).
  const late = start({ MICRO_CONNECT_TIMEOUT: "30s" });
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const okDuringOutage = load.result.ok - okAtOutage;
  await etcd.start();
  const newcomer = await late;
  const seen = await waitUntil(async () => (await nodes().catch(() => 0)) === 3, 15_000);
  await waitUntil(async () => (load.result.servedBy[String(newcomer.pid)] ?? 0) > 0, 10_000);
  const result = await load.stop();
  report("etcd outage", {
    calls: result.ok + result.failed,
    failed: result.failed,
    callsDuringOutage: okDuringOutage,
    newNodeSeenAfterRestartMs: seen,
    servedBy: result.servedBy,
  });
  expect(result.errors).toEqual([]);
  expect(okDuringOutage).toBeGreaterThan(20);
  expect(lines.join("\n")).toContain("serving cached nodes (stale)");
  expect(lines.join("\n")).toContain("registry reachable again");
});

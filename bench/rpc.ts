// Unary RPC throughput and latency through the generated client and handler, beside a raw
// baseline measured in the same run: undici -> node:http for the http transport, and a
// generic @grpc/grpc-js client -> server for the grpc transport. Same payload, same
// concurrency, server always in its own process. The micro client gives every call a 5 s
// deadline (its default, as go-micro's), sent as `grpc-timeout`; grpc-js charges a deadline
// on both sides (its server arms a timer per call), so the grpc baseline sets the same
// deadline, and the same raw call without one is reported beside it.
// Each comparison runs in rounds on fresh processes (a process's luck, its core and its
// JIT's choices, moved one side by up to 7 % within a run), and reports their sum.
// Usage: node --import tsx bench/rpc.ts   (BENCH_SECONDS per side per round, BENCH_ROUNDS,
// BENCH_CONCURRENCY to change the run)
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import {
  type Transport,
  createClient,
  createHttpTransport,
  createMemoryRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { createGrpcTransport } from "@micro-ts/runtime/grpc";
import { Pool } from "undici";
import { createGreeterClient } from "../examples/greeter/gen/greeter/v1/greeter.micro.js";
import { HelloRequest, HelloResponse } from "../examples/greeter/gen/greeter/v1/greeter.js";
import { startListening } from "./lib/listening-process.js";
import {
  type InterleavedResult,
  cpuPerRequest,
  mergeRounds,
  runInterleaved,
  turnRatioQuartiles,
} from "./lib/load.js";
import { report } from "./lib/report.js";

const seconds = Number(process.env["BENCH_SECONDS"] ?? 6);
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 3);
const concurrency = Number(process.env["BENCH_CONCURRENCY"] ?? 32);
const request: HelloRequest = { name: "benchmark" };
const serverScript = fileURLToPath(new URL("./rpc/server.ts", import.meta.url));

/** A server process and a function making one call to it. */
interface Target {
  /** The server process's pid, so each side is charged its server's CPU. */
  readonly pid: number;
  call(): Promise<unknown>;
  close(): Promise<void>;
}

async function startServer(mode: string): Promise<{ address: string; pid: number; stop(): void }> {
  const { address, child } = await startListening(serverScript, [mode]);
  return { address, pid: child.pid as number, stop: () => child.kill("SIGKILL") };
}

async function microTarget(mode: string, transport: Transport): Promise<Target> {
  const server = await startServer(mode);
  const registry = createMemoryRegistry();
  await registry.register({
    name: "bench",
    version: "latest",
    metadata: {},
    endpoints: [],
    nodes: [{ id: "bench-1", address: server.address, metadata: { transport: transport.name } }],
  });
  const selector = createSelector({ registry });
  const client = createClient({ transport, selector });
  const greeter = createGreeterClient(client, "bench");
  return {
    pid: server.pid,
    call: () => greeter.hello(request),
    async close() {
      await client.close();
      await selector.close();
      await registry.close();
      server.stop();
    },
  };
}

async function rawHttpTarget(): Promise<Target> {
  const server = await startServer("raw-http");
  const pool = new Pool(`http://${server.address}`, { connections: concurrency, pipelining: 1 });
  return {
    pid: server.pid,
    async call() {
      const response = await pool.request({
        path: "/greeter.v1.Greeter/Hello",
        method: "POST",
        headers: { "content-type": "application/proto" },
        body: HelloRequest.encode(request).finish(),
      });
      const body = new Uint8Array(await response.body.arrayBuffer());
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      return HelloResponse.decode(body);
    },
    async close() {
      await pool.close();
      server.stop();
    },
  };
}

/** The micro client's default budget per unary call, which the grpc baseline matches. */
const DEADLINE_MS = 5000;

/** Raw grpc-js calls, each with a `DEADLINE_MS` deadline when `withDeadline`. */
async function rawGrpcTarget(withDeadline: boolean): Promise<Target> {
  const server = await startServer("raw-grpc");
  const client = new grpc.Client(server.address, grpc.credentials.createInsecure());
  const serialize = (message: HelloRequest) => Buffer.from(HelloRequest.encode(message).finish());
  const deserialize = (bytes: Buffer) => HelloResponse.decode(bytes);
  const noDeadline: grpc.CallOptions = {};
  return {
    pid: server.pid,
    call: () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(
          "/greeter.v1.Greeter/Hello",
          serialize,
          deserialize,
          request,
          new grpc.Metadata(),
          withDeadline ? { deadline: Date.now() + DEADLINE_MS } : noDeadline,
          (error, value) => (error ? reject(error) : resolve(value)),
        ),
      ),
    async close() {
      client.close();
      server.stop();
    },
  };
}

/** Each side's rounds merged, and every round's own results. */
interface Comparison<K extends string> {
  readonly merged: Record<K, InterleavedResult>;
  readonly rounds: readonly Record<K, InterleavedResult>[];
}

/** Runs `rounds` rounds of `compareOnce`, each on fresh targets, and merges each side's. */
async function compare<K extends string>(
  make: Record<K, () => Promise<Target>>,
): Promise<Comparison<K>> {
  const results: Record<K, InterleavedResult>[] = [];
  for (let round = 0; round < rounds; round++) results.push(await compareOnce(make));
  const merged = {} as Record<K, InterleavedResult>;
  for (const key of Object.keys(make) as K[]) {
    merged[key] = mergeRounds(results.map((result) => result[key]));
  }
  return { merged, rounds: results };
}

/** The rate ratio of `side` to `baseline` in each round. */
function roundRatios<K extends string>(comparison: Comparison<K>, side: K, baseline: K): number[] {
  return comparison.rounds.map((round) => round[side].perSecond / round[baseline].perSecond);
}

/** Starts the targets and loads them in alternating turns (see `runInterleaved`). */
async function compareOnce<K extends string>(make: Record<K, () => Promise<Target>>) {
  const targets = {} as Record<K, Target>;
  for (const key of Object.keys(make) as K[]) targets[key] = await make[key]();
  const calls = {} as Record<K, () => Promise<unknown>>;
  const processes: Record<string, number> = {};
  for (const key of Object.keys(targets) as K[]) {
    calls[key] = targets[key].call;
    processes[key] = targets[key].pid;
  }
  const results = await runInterleaved(calls, {
    concurrency,
    durationMs: seconds * 1000,
    processes,
  });
  for (const target of Object.values<Target>(targets)) await target.close();
  for (const [side, result] of Object.entries<{ errors: number }>(results)) {
    if (result.errors > 0)
      throw new Error(`${side}: ${result.errors} calls failed during the benchmark`);
  }
  return results;
}

console.log(
  `unary rpc: ${concurrency} concurrent callers, ${rounds} rounds on fresh processes of ${seconds} s per side, in alternating 1 s turns`,
);
const httpRounds = await compare({
  baseline: rawHttpTarget,
  micro: () => microTarget("micro-http", createHttpTransport()),
});
const grpcRounds = await compare({
  baseline: () => rawGrpcTarget(true),
  noDeadline: () => rawGrpcTarget(false),
  micro: () => microTarget("micro-grpc", createGrpcTransport()),
});
const http = httpRounds.merged;
const grpcResult = grpcRounds.merged;

/** CPU per request of one side's whole path: the calling process plus its server. */
const pathCpu = <K extends string>(results: Record<K, InterleavedResult>, side: K) =>
  cpuPerRequest(results[side], "load", side);

report(
  "unary RPC (value = micro through the generated client; baseline = raw client -> raw server; grpc baseline with the same 5 s deadline)",
  [
    {
      bench: "rpc.http.rps",
      value: http.micro.perSecond,
      baseline: http.baseline.perSecond,
      turns: turnRatioQuartiles(http.micro, http.baseline),
      rounds: roundRatios(httpRounds, "micro", "baseline"),
      unit: "req/s",
      target: { ratio: 0.85, better: "higher" },
    },
    { bench: "rpc.http.p50", value: http.micro.p50Ms, baseline: http.baseline.p50Ms, unit: "ms" },
    { bench: "rpc.http.p99", value: http.micro.p99Ms, baseline: http.baseline.p99Ms, unit: "ms" },
    {
      bench: "rpc.http.cpu",
      value: pathCpu(http, "micro"),
      baseline: pathCpu(http, "baseline"),
      unit: "µs CPU/req (client + server)",
    },
    {
      bench: "rpc.grpc.rps",
      value: grpcResult.micro.perSecond,
      baseline: grpcResult.baseline.perSecond,
      turns: turnRatioQuartiles(grpcResult.micro, grpcResult.baseline),
      rounds: roundRatios(grpcRounds, "micro", "baseline"),
      unit: "req/s",
      target: { ratio: 0.9, better: "higher" },
    },
    {
      bench: "rpc.grpc.p50",
      value: grpcResult.micro.p50Ms,
      baseline: grpcResult.baseline.p50Ms,
      unit: "ms",
    },
    {
      bench: "rpc.grpc.p99",
      value: grpcResult.micro.p99Ms,
      baseline: grpcResult.baseline.p99Ms,
      unit: "ms",
    },
    {
      bench: "rpc.grpc.cpu",
      value: pathCpu(grpcResult, "micro"),
      baseline: pathCpu(grpcResult, "baseline"),
      unit: "µs CPU/req (client + server)",
    },
    {
      bench: "rpc.grpc.rps.vs-no-deadline",
      value: grpcResult.micro.perSecond,
      baseline: grpcResult.noDeadline.perSecond,
      turns: turnRatioQuartiles(grpcResult.micro, grpcResult.noDeadline),
      rounds: roundRatios(grpcRounds, "micro", "noDeadline"),
      unit: "req/s",
    },
  ],
);
process.exit(0);

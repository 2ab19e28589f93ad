// Scratch bench of the gRPC transport: unary calls through createGrpcTransport (client
// and server) against raw @grpc/grpc-js (generic client -> generic server) with the same
// ts-proto serializers, payload, concurrency and process. Rounds alternate; medians are
// reported. Target: micro/raw throughput >= 0.9.
//
//   npx tsx bench/rpc-grpc.ts [--concurrency 32] [--seconds 3] [--rounds 3] [--payload 256]
import { parseArgs } from "node:util";
import {
  Server,
  ServerCredentials,
  type ServiceError,
  credentials,
  makeGenericClientConstructor,
} from "@grpc/grpc-js";
import type { HandlerContext } from "../packages/runtime/src/context/handler-context.js";
import type { MethodDescriptor } from "../packages/runtime/src/method/method-descriptor.js";
import { createGrpcTransport } from "../packages/runtime/src/transport/grpc/index.js";
import type { Route, Router } from "../packages/runtime/src/transport/transport.js";
import {
  EchoDescriptor,
  type SayRequest,
  type SayResponse,
} from "../packages/runtime/test/fixtures/echo-descriptor.js";
import { rawEchoService } from "../packages/runtime/test/transport/grpc/raw-echo.js";
import { runLoad } from "./lib/load.js";
import { type Figure, report } from "./lib/report.js";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "32" },
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    payload: { type: "string", default: "256" },
  },
});
const concurrency = Number(values.concurrency);
const durationMs = Number(values.seconds) * 1000;
const rounds = Number(values.rounds);
const request: SayRequest = {
  text: "hello",
  delayMs: 0,
  failCode: 0,
  payload: new Uint8Array(Number(values.payload)).fill(7),
};
const { Say } = EchoDescriptor.methods;

/** The same work on both sides: answer with the request's text. */
function answer(req: SayRequest): SayResponse {
  return { text: req.text, node: "bench", metadata: {}, budgetMs: 0 };
}

async function rawServer(): Promise<{ address: string; close: () => void }> {
  const server = new Server();
  const noop = () => undefined;
  server.addService(rawEchoService, {
    Say: (call: { request: SayRequest }, callback: (e: null, v: SayResponse) => void) =>
      callback(null, answer(call.request)),
    Count: noop,
    Collect: noop,
    Converse: noop,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}

/** A one-route router doing what a server's route does: build the context, call the handler. */
function benchRouter(): Router {
  const method = Say as MethodDescriptor;
  const route: Route = {
    method,
    invoke(call, req) {
      const context: HandlerContext = {
        service: "bench",
        method,
        metadata: call.metadata,
        deadline: call.deadline,
        signal: call.signal,
        responseMetadata: {},
      };
      return { context, response: Promise.resolve(answer(req as SayRequest)) };
    },
  };
  return {
    route: (path) => (path === method.endpoint.path ? route : undefined),
    routes: () => [route],
  };
}

function rawCaller(address: string): { call: () => Promise<unknown>; close: () => void } {
  const Client = makeGenericClientConstructor(rawEchoService, "Echo");
  const client = new Client(address, credentials.createInsecure()) as unknown as {
    Say(r: SayRequest, cb: (e: ServiceError | null, v?: SayResponse) => void): void;
    close(): void;
  };
  return {
    call: () =>
      new Promise((resolve, reject) => client.Say(request, (e, v) => (e ? reject(e) : resolve(v)))),
    close: () => client.close(),
  };
}

function microCaller(address: string): { call: () => Promise<unknown>; close: () => void } {
  const client = createGrpcTransport().client();
  const outbound = { metadata: {}, deadline: undefined, signal: undefined };
  return {
    call: () => client.unary(address, Say, request, outbound),
    close: () => void client.close(),
  };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const raw = await rawServer();
const micro = await createGrpcTransport().listen({
  address: "127.0.0.1:0",
  router: benchRouter(),
  maxMessageBytes: 4 * 1024 * 1024,
});
const pairs = {
  "raw client -> raw server": () => rawCaller(raw.address),
  "micro client -> micro server": () => microCaller(micro.address),
  "micro client -> raw server": () => microCaller(raw.address),
  "raw client -> micro server": () => rawCaller(micro.address),
};
type Pair = keyof typeof pairs;
const perSecond = new Map<Pair, number[]>();
const cpuPerRequest = new Map<Pair, number[]>();
const record = (map: Map<Pair, number[]>, pair: Pair, value: number) =>
  map.set(pair, [...(map.get(pair) ?? []), value]);

for (let round = 0; round < rounds; round++) {
  for (const pair of Object.keys(pairs) as Pair[]) {
    const caller = pairs[pair]();
    await runLoad(caller.call, { concurrency, durationMs: 500, warmupMs: 0 });
    const cpuBefore = process.cpuUsage();
    const result = await runLoad(caller.call, { concurrency, durationMs, warmupMs: 0 });
    const cpu = process.cpuUsage(cpuBefore);
    caller.close();
    if (result.errors > 0) throw new Error(`${pair}: ${result.errors} errors`);
    const cpuUs = (cpu.user + cpu.system) / result.requests;
    record(perSecond, pair, result.perSecond);
    record(cpuPerRequest, pair, cpuUs);
    console.log(
      `round ${round + 1} ${pair}: ${result.perSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, ` +
        `p99 ${result.p99Ms.toFixed(2)} ms, ${cpuUs.toFixed(1)} us CPU/req`,
    );
  }
}

/** The three micro pairs against raw -> raw for one metric. */
function figures(map: Map<Pair, number[]>, unit: string, better: "higher" | "lower"): Figure[] {
  const baseline = median(map.get("raw client -> raw server") ?? []);
  const value = (pair: Pair) => median(map.get(pair) ?? []);
  return [
    {
      bench: `grpc transport unary ${unit} (micro client -> micro server)`,
      value: value("micro client -> micro server"),
      baseline,
      unit,
      target: { ratio: better === "higher" ? 0.9 : 1 / 0.9, better },
    },
    {
      bench: `micro client only ${unit}`,
      value: value("micro client -> raw server"),
      baseline,
      unit,
    },
    {
      bench: `micro server only ${unit}`,
      value: value("raw client -> micro server"),
      baseline,
      unit,
    },
  ];
}

const title = `gRPC unary, concurrency ${concurrency}, ${request.payload.length}-byte payload, median of ${rounds}`;
report(`${title}: throughput (higher is better)`, figures(perSecond, "req/s", "higher"));
report(
  `${title}: CPU per request, client and server in one process (lower is better)`,
  figures(cpuPerRequest, "us/req", "lower"),
);
raw.close();
await micro.close(0);

// The API gateway's cost: a JSON request through the gateway (its own process) to a micro
// service, beside the same call made directly with the runtime client (JSON codec), and
// beside a bare node:http JSON endpoint, all in the same run with the same load; the same
// JSON through `micro api --workers 2`, the CLI gateway in two processes; and through a
// proxy with no logic at all (node:http in, undici out, bytes passed through), the most
// any gateway built on Node's HTTP stack could reach on this machine.
// Every server (service, gateway, bare endpoint) runs in its own process.
// Usage: node --import tsx bench/gateway.ts (after npm run build)
//        (BENCH_SECONDS, BENCH_CONCURRENCY to change the run)
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createClient,
  createHttpTransport,
  createLocalRegistry,
  createMemoryRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { createApiGateway } from "@micro-ts/runtime/api";
import { Pool } from "undici";
import {
  GreeterDescriptor,
  createGreeterClient,
} from "../examples/greeter/gen/greeter/v1/greeter.micro.js";
import { type ListeningProcess, startListening } from "./lib/listening-process.js";
import { cpuPerRequest, runInterleaved, turnRatioQuartiles } from "./lib/load.js";
import { report } from "./lib/report.js";

const seconds = Number(process.env["BENCH_SECONDS"] ?? 10);
const concurrency = Number(process.env["BENCH_CONCURRENCY"] ?? 32);
const self = fileURLToPath(import.meta.url);
const serviceScript = fileURLToPath(new URL("./rpc/server.ts", import.meta.url));
const microBin = fileURLToPath(new URL("../bin/micro.ts", import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const body = JSON.stringify({ name: "benchmark" });

/** A server process and one call to it. */
interface Target {
  call(): Promise<unknown>;
  close(): Promise<void>;
}

/** Posts the JSON request with undici (a fast HTTP client) and checks the answer. */
function jsonPoster(address: string, path: string): Target {
  const pool = new Pool(`http://${address}`, { connections: concurrency, pipelining: 1 });
  return {
    async call() {
      const response = await pool.request({
        path,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const reply = (await response.body.json()) as { message?: string };
      if (response.statusCode !== 200 || reply.message !== "Hello benchmark") {
        throw new Error(`status ${response.statusCode}: ${JSON.stringify(reply)}`);
      }
      return reply;
    },
    close: () => pool.close(),
  };
}

/**
 * A gateway with no logic: no routing, registry, deadlines, errors, CORS or JSON parsing;
 * every request's bytes go to the service's Connect JSON path and its answer comes back.
 */
function serveBareProxy(serviceAddress: string): void {
  const upstream = new Pool(`http://${serviceAddress}`, { connections: concurrency });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      upstream
        .request({
          path: "/greeter.v1.Greeter/Hello",
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        })
        .then(async (answer) => {
          const reply = Buffer.from(await answer.body.arrayBuffer());
          res.writeHead(answer.statusCode, {
            "content-type": "application/json",
            "content-length": reply.length,
          });
          res.end(reply);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  printAddressOnListen(server);
}

/** Prints `LISTENING host:port` once `server` listens on a free loopback port. */
function printAddressOnListen(server: Server): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const info = server.address();
    console.log(`LISTENING 127.0.0.1:${typeof info === "object" && info ? info.port : 0}`);
  });
}

/** Serves the bare endpoint, the bare proxy or the gateway (over the registry folder). */
async function serve(mode: string | undefined, argument: string | undefined): Promise<void> {
  if (mode === "bare-proxy") {
    serveBareProxy(argument as string);
    return;
  }
  if (mode === "bare-json") {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const { name } = JSON.parse(Buffer.concat(chunks).toString()) as { name: string };
        const reply = JSON.stringify({ message: `Hello ${name}` });
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(reply),
        });
        res.end(reply);
      });
    });
    printAddressOnListen(server);
    return;
  }
  const registry = createLocalRegistry({ directory: argument as string });
  const selector = createSelector({ registry, logger: silent });
  const client = createClient({ transport: createHttpTransport({ codec: "json" }), selector });
  const gateway = createApiGateway({ registry, client, logger: silent });
  const { address } = await gateway.listen("127.0.0.1:0");
  console.log(`LISTENING ${address}`);
}

/** `micro api --workers 2` over the registry folder, as users start it. */
function startWorkersGateway(directory: string): Promise<ListeningProcess> {
  return startListening(microBin, ["api", "--workers", "2", "--address", "127.0.0.1:0"], {
    pattern: /gateway at http:\/\/(\S+)\//,
    env: { MICRO_REGISTRY: "local", MICRO_REGISTRY_ADDRESS: directory },
  });
}

async function main(): Promise<void> {
  const service = await startListening(serviceScript, ["micro-http"]);
  const bare = await startListening(self, ["bare-json"]);
  const directory = mkdtempSync(join(tmpdir(), "micro-bench-gateway-"));
  const record = {
    name: "greeter",
    version: "1.0.0",
    metadata: {},
    endpoints: Object.values(GreeterDescriptor.methods).map((method) => method.endpoint),
    nodes: [{ id: "greeter-bench", address: service.address, metadata: { transport: "http" } }],
  };
  const registry = createLocalRegistry({ directory });
  await registry.register(record, { ttl: 3_600_000 });
  const gateway = await startListening(self, ["gateway", directory]);
  const proxy = await startListening(self, ["bare-proxy", service.address]);
  const workers = await startWorkersGateway(directory);

  const targets: Record<
    "gateway" | "workers" | "proxy" | "direct" | "bare",
    () => Promise<Target>
  > = {
    gateway: async () => jsonPoster(gateway.address, "/greeter/hello"),
    proxy: async () => jsonPoster(proxy.address, "/greeter/hello"),
    workers: async () => jsonPoster(workers.address, "/greeter/hello"),
    bare: async () => jsonPoster(bare.address, "/hello"),
    async direct() {
      const memory = createMemoryRegistry();
      await memory.register(record);
      const selector = createSelector({ registry: memory, logger: silent });
      const client = createClient({ transport: createHttpTransport({ codec: "json" }), selector });
      const greeter = createGreeterClient(client, "greeter");
      return {
        async call() {
          const reply = await greeter.hello({ name: "benchmark" });
          if (reply.message !== "Hello benchmark") throw new Error(JSON.stringify(reply));
          return reply;
        },
        async close() {
          await client.close();
          await selector.close();
          await memory.close();
        },
      };
    },
  };

  console.log(
    `gateway: ${concurrency} concurrent callers, ${seconds} s each, in alternating 1 s turns`,
  );
  const bareTarget = await targets.bare();
  const directTarget = await targets.direct();
  const gatewayTarget = await targets.gateway();
  const workersTarget = await targets.workers();
  const proxyTarget = await targets.proxy();
  const results = await runInterleaved(
    {
      bare: bareTarget.call,
      direct: directTarget.call,
      gateway: gatewayTarget.call,
      workers: workersTarget.call,
      proxy: proxyTarget.call,
    },
    {
      concurrency,
      durationMs: seconds * 1000,
      processes: {
        service: service.child.pid as number,
        gateway: gateway.child.pid as number,
        proxy: proxy.child.pid as number,
      },
    },
  );
  for (const target of [bareTarget, directTarget, gatewayTarget, workersTarget, proxyTarget]) {
    await target.close();
  }
  for (const [side, result] of Object.entries(results)) {
    if (result.errors > 0) throw new Error(`${side}: ${result.errors} calls failed`);
  }
  const { gateway: g, workers: w, proxy: p, direct: d, bare: b } = results;
  // Where the CPU goes: on a machine whose cores all three processes share, throughput
  // follows the CPU per request of the whole path, so these explain the ratio above.
  const directHop = cpuPerRequest(d, "load", "service");
  const gatewayPath = cpuPerRequest(g, "load", "gateway", "service");
  report(
    "API gateway (value = JSON through the gateway to the service; baselines from the same run)",
    [
      {
        bench: "gateway.rps.vs-direct",
        value: g.perSecond,
        baseline: d.perSecond,
        turns: turnRatioQuartiles(g, d),
        unit: "req/s",
        target: { ratio: 0.6, better: "higher" },
      },
      { bench: "gateway.p99.vs-direct", value: g.p99Ms, baseline: d.p99Ms, unit: "ms" },
      {
        bench: "gateway.2-workers.rps.vs-direct",
        value: w.perSecond,
        baseline: d.perSecond,
        turns: turnRatioQuartiles(w, d),
        unit: "req/s (micro api --workers 2)",
      },
      {
        bench: "bare-proxy.rps.vs-direct",
        value: p.perSecond,
        baseline: d.perSecond,
        turns: turnRatioQuartiles(p, d),
        unit: "req/s (proxy with no logic: the ceiling of a Node gateway here)",
      },
      {
        bench: "gateway.rps.vs-bare-proxy",
        value: g.perSecond,
        baseline: p.perSecond,
        turns: turnRatioQuartiles(g, p),
        unit: "req/s",
      },
      {
        bench: "gateway.rps.vs-bare-http",
        value: g.perSecond,
        baseline: b.perSecond,
        turns: turnRatioQuartiles(g, b),
        unit: "req/s",
      },
      { bench: "gateway.p99.vs-bare-http", value: g.p99Ms, baseline: b.p99Ms, unit: "ms" },
      {
        bench: "direct.rps.vs-bare-http",
        value: d.perSecond,
        baseline: b.perSecond,
        turns: turnRatioQuartiles(d, b),
        unit: "req/s",
      },
      {
        bench: "gateway.path-cpu.vs-direct",
        value: gatewayPath,
        baseline: directHop,
        unit: "µs CPU/req (callers + gateway + service)",
      },
      {
        bench: "gateway.process-cpu.vs-direct",
        value: cpuPerRequest(g, "gateway"),
        baseline: directHop,
        unit: "µs CPU/req (gateway alone vs caller + service)",
      },
      {
        bench: "bare-proxy.path-cpu.vs-direct",
        value: cpuPerRequest(p, "load", "proxy", "service"),
        baseline: directHop,
        unit: "µs CPU/req (callers + bare proxy + service)",
      },
    ],
  );
  for (const child of [service.child, bare.child, gateway.child, proxy.child]) {
    child.kill("SIGKILL");
  }
  workers.child.kill("SIGTERM");
  await once(workers.child, "exit");
  await registry.close();
  rmSync(directory, { recursive: true, force: true });
}

const mode = process.argv[2];
if (mode === undefined) {
  await main();
  process.exit(0);
} else {
  await serve(mode, process.argv[3]);
}

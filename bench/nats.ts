// NATS: pub/sub through the generated publisher and subscriber on the NATS broker beside
// the raw @nats-io client, and unary RPC through the generated client on the NATS
// transport beside raw NATS request/reply. Same payload, same nats-server (its own, on a
// free port), everything in this process (NATS is the hop being measured).
// Usage: BENCH_MESSAGES, BENCH_SECONDS, BENCH_CONCURRENCY change the run.
import {
  createClient,
  createMemoryBroker,
  createMemoryRegistry,
  createSelector,
  createServer,
} from "@micro-ts/runtime";
import { createNatsBroker, createNatsTransport } from "@micro-ts/runtime/nats";
import { connect } from "@nats-io/transport-node";
import {
  createGreetedPublisher,
  createGreeterClient,
  registerGreetedSubscriber,
  registerGreeterHandler,
} from "../examples/greeter/gen/greeter/v1/greeter.micro.js";
import {
  Greeted,
  HelloRequest,
  HelloResponse,
} from "../examples/greeter/gen/greeter/v1/greeter.js";
import { startNatsServer } from "../packages/runtime/test/nats/nats-server.js";
import { runLoad } from "./lib/load.js";
import { report } from "./lib/report.js";
import { answer, benchGreeter } from "./rpc/bench-handler.js";

const messages = Number(process.env["BENCH_MESSAGES"] ?? 200_000);
const seconds = Number(process.env["BENCH_SECONDS"] ?? 4);
const concurrency = Number(process.env["BENCH_CONCURRENCY"] ?? 32);
const greeted: Greeted = { name: "benchmark", atUnixMs: 1_700_000_000_000 };

const nats = await startNatsServer();
const servers = nats.address;

/** Publishes `messages` in batches (flushing between) until the subscriber counted them all. */
async function timed(
  publish: () => void | Promise<void>,
  flush: () => Promise<void>,
  done: Promise<void>,
) {
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    await publish();
    if (i % 1_000 === 999) await flush();
  }
  await flush();
  await done;
  return messages / ((performance.now() - started) / 1000);
}

function counter() {
  let count = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    done,
    hit() {
      if (++count === messages) resolve();
    },
  };
}

async function rawPubSub(): Promise<number> {
  const [pub, sub] = [await connect({ servers }), await connect({ servers })];
  const seen = counter();
  sub.subscribe("bench.raw", { callback: (_e, msg) => (Greeted.decode(msg.data), seen.hit()) });
  await sub.flush();
  const rate = await timed(
    () => pub.publish("bench.raw", Greeted.encode(greeted).finish()),
    () => pub.flush(),
    seen.done,
  );
  await Promise.all([pub.close(), sub.close()]);
  return rate;
}

async function microPubSub(): Promise<number> {
  const subBroker = createNatsBroker({ servers });
  const pubBroker = createNatsBroker({ servers });
  const registry = createMemoryRegistry();
  const seen = counter();
  const server = createServer({
    name: "bench",
    transport: createNatsTransport({ servers }),
    registry,
    broker: subBroker,
  });
  registerGreetedSubscriber(server, { handle: () => seen.hit() });
  await server.start();
  const selector = createSelector({ registry });
  const client = createClient({
    transport: createNatsTransport({ servers }),
    selector,
    broker: pubBroker,
  });
  const publisher = createGreetedPublisher(client);
  const rate = await timed(
    () => publisher.publish(greeted),
    // A round trip on the publishing connection, as the raw side paces its batches.
    () => pubBroker.flush(),
    seen.done,
  );
  await server.stop();
  await Promise.all([
    client.close(),
    selector.close(),
    pubBroker.disconnect(),
    subBroker.disconnect(),
    registry.close(),
  ]);
  return rate;
}

async function rawRpc() {
  const [client, responder] = [await connect({ servers }), await connect({ servers })];
  responder.subscribe("bench.rpc", {
    callback: (_e, msg) => {
      msg.respond(HelloResponse.encode(answer(HelloRequest.decode(msg.data))).finish());
    },
  });
  await responder.flush();
  const result = await runLoad(
    async () =>
      HelloResponse.decode(
        (
          await client.request("bench.rpc", HelloRequest.encode({ name: "benchmark" }).finish(), {
            timeout: 5_000,
          })
        ).data,
      ),
    { concurrency, durationMs: seconds * 1000 },
  );
  await Promise.all([client.close(), responder.close()]);
  return result;
}

async function microRpc() {
  const registry = createMemoryRegistry();
  const server = createServer({
    name: "greeter",
    transport: createNatsTransport({ servers }),
    registry,
  });
  registerGreeterHandler(server, benchGreeter);
  await server.start();
  const selector = createSelector({ registry });
  const client = createClient({
    transport: createNatsTransport({ servers }),
    selector,
    broker: createMemoryBroker(),
  });
  const greeter = createGreeterClient(client, "greeter");
  const result = await runLoad(() => greeter.hello({ name: "benchmark" }), {
    concurrency,
    durationMs: seconds * 1000,
  });
  await server.stop();
  await Promise.all([client.close(), selector.close(), registry.close()]);
  return result;
}

// Alternate the two sides so neither always runs on a warmer process.
const pubsub = { raw: 0, micro: 0 };
for (let round = 0; round < 2; round++) {
  pubsub.micro = Math.max(pubsub.micro, await microPubSub());
  pubsub.raw = Math.max(pubsub.raw, await rawPubSub());
}
const raw = await rawRpc();
const micro = await microRpc();
await nats.close();

report("NATS: generated publisher/subscriber and client/handler vs the raw nats client", [
  {
    bench: "nats.pubsub.throughput",
    value: pubsub.micro,
    baseline: pubsub.raw,
    unit: "msg/s",
    target: { ratio: 0.85, better: "higher" },
  },
  {
    bench: "nats.rpc.throughput",
    value: micro.perSecond,
    baseline: raw.perSecond,
    unit: "req/s",
    target: { ratio: 0.85, better: "higher" },
  },
  {
    bench: "nats.rpc.p50",
    value: micro.p50Ms,
    baseline: raw.p50Ms,
    unit: "ms",
    target: { ratio: 1.2, better: "lower" },
  },
  { bench: "nats.rpc.p99", value: micro.p99Ms, baseline: raw.p99Ms, unit: "ms" },
]);

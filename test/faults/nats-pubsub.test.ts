// Pub/sub faults on NATS, each on a nats-server of its own: (3) a NATS restart under
// publish load, (6) queue groups across processes.
import { afterEach, expect, it } from "vitest";
import {
  createClient,
  createMemoryRegistry,
  createMemoryTransport,
  createSelector,
} from "@micro-ts/runtime";
import { createNatsBroker } from "@micro-ts/runtime/nats";
import { createGreetedPublisher } from "../../examples/greeter/gen/greeter/v1/greeter.micro.js";
import type { Running } from "../e2e/lib/process.js";
import { report, startFixture, startGreeter, startNatsServer, waitUntil } from "./lib/cluster.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("NATS restart under publish load: the subscriber resumes without a restart; losses are counted", async () => {
  const nats = await startNatsServer();
  cleanups.push(() => nats.close());
  const subscriber = await startGreeter({
    MICRO_BROKER: "nats",
    MICRO_BROKER_ADDRESS: nats.address,
    MICRO_REGISTRY: "memory",
  });
  cleanups.push(async () => void (await subscriber.stop("SIGKILL")));
  const broker = createNatsBroker({ servers: nats.address });
  const registry = createMemoryRegistry();
  const selector = createSelector({ registry });
  const client = createClient({ transport: createMemoryTransport(), selector, broker });
  cleanups.push(async () => {
    await broker.disconnect();
    await selector.close();
    await registry.close();
  });
  await broker.connect();
  const publisher = createGreetedPublisher(client);
  const received = () => new Set(subscriber.output().match(/greeted m\d+ /g) ?? []).size;

  // Publish every 5 ms: 1 s before, an outage of ~1 s, and until delivery resumes + 1 s.
  let sent = 0;
  let failedPublishes = 0;
  let publishing = true;
  const loop = (async () => {
    while (publishing) {
      await publisher
        .publish({ name: `m${sent}`, atUnixMs: Date.now() })
        .catch(() => failedPublishes++);
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const beforeOutage = received();
  await nats.stop();
  const downAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await nats.start();
  const sentAtRestart = sent;
  const resumed = await waitUntil(async () => {
    const names = subscriber.output().match(/greeted m(\d+) /g) ?? [];
    return names.some((line) => Number(/m(\d+)/.exec(line)?.[1]) >= sentAtRestart);
  }, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  publishing = false;
  await loop;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const total = received();
  report("NATS restart under pub/sub", {
    sent,
    received: total,
    lost: sent - total,
    receivedBeforeOutage: beforeOutage,
    outageMs: Date.now() - downAt,
    deliveryResumedAfterRestartMs: resumed,
    failedPublishes,
  });
  expect(beforeOutage).toBeGreaterThan(50);
  // Messages published after the resume all arrive: the subscription survived.
  const lastNames = (subscriber.output().match(/greeted m(\d+) /g) ?? []).map((line) =>
    Number(/m(\d+)/.exec(line)?.[1]),
  );
  expect(Math.max(...lastNames)).toBeGreaterThanOrEqual(sent - 20);
});

it("queue group across three processes: each gets a share, no message twice", async () => {
  const nats = await startNatsServer();
  cleanups.push(() => nats.close());
  const members: Running[] = [1, 2, 3].map(() =>
    startFixture("queue-subscriber.ts", { NATS_ADDRESS: nats.address }),
  );
  cleanups.push(async () => void (await Promise.all(members.map((m) => m.stop("SIGKILL")))));
  await Promise.all(members.map((m) => m.waitFor(/subscribed/, 30_000)));
  const broker = createNatsBroker({ servers: nats.address });
  cleanups.push(() => broker.disconnect());
  const count = 600;
  for (let i = 0; i < count; i++) {
    await broker.publish("faults.jobs", { header: {}, body: new TextEncoder().encode(`j${i}`) });
  }
  const got = () => members.map((m) => m.output().match(/got j\d+/g) ?? []);
  await waitUntil(async () => got().flat().length >= count, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const shares = got();
  const all = shares.flat();
  report("queue group", {
    published: count,
    received: all.length,
    unique: new Set(all).size,
    shares: shares.map((s) => s.length),
  });
  expect(all.length).toBe(count);
  expect(new Set(all).size).toBe(count);
  for (const share of shares) expect(share.length).toBeGreaterThan(count / 10);
});

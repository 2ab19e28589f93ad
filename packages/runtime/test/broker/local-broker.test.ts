// The local broker across real processes: fan-out, queue groups, kill -9, disconnect.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Broker, BrokerMessage } from "../../src/broker/broker.js";
import type { Registry } from "../../src/registry/registry.js";
import type { BrokerErrorContext } from "../../src/broker/delivery.js";
import {
  LOCAL_BROKER_SERVICE,
  createLocalBroker,
  type LocalBrokerOptions,
} from "../../src/broker/local-broker.js";
import { createLocalRegistry } from "../../src/registry/local-registry.js";
import { type Child, eventually, startChild } from "../registry/fixtures/child-process.js";

const script = join(import.meta.dirname, "fixtures", "subscriber.ts");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (m: BrokerMessage) => new TextDecoder().decode(m.body);

async function setup(): Promise<{ directory: string; registry: Registry }> {
  const directory = await mkdtemp(join(tmpdir(), "local-broker-"));
  const registry = createLocalRegistry({ directory, pollInterval: 200 });
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  cleanups.push(() => registry.close());
  return { directory, registry };
}

function broker(options: LocalBrokerOptions): Broker {
  const created = createLocalBroker(options);
  cleanups.push(() => created.disconnect());
  return created;
}

function subscriber(directory: string, topic: string, queue: string, label: string): Child {
  const child = startChild(script, [directory, topic, queue, label]);
  cleanups.push(() => child.kill9());
  return child;
}

/** `seq` values each child printed for `topic`-independent lines "got <label> <seq> <body>". */
const seqs = (child: Child) =>
  child.lines.filter((l) => l.startsWith("got ")).map((l) => l.split(" ")[2] as string);

describe("local broker", () => {
  it("delivers headers and body between two broker instances over HTTP", async () => {
    const { registry } = await setup();
    const receiver = broker({ registry });
    const sender = broker({ registry });
    const received: BrokerMessage[] = [];
    const sub = await receiver.subscribe("greeted", (m) => {
      received.push(m);
    });
    expect(sub).toMatchObject({ topic: "greeted", queue: undefined });
    const header = { "content-type": "application/protobuf", "x-trace": "ünïcode ✓" };
    await sender.publish("greeted", { header, body: new Uint8Array([0, 1, 2, 255]) });
    // publish resolves once the subscriber accepted the message and started its handler.
    expect(received).toHaveLength(1);
    expect(received[0]?.header).toEqual(header);
    expect([...(received[0]?.body ?? [])]).toEqual([0, 1, 2, 255]);

    const [record] = await registry.getService(LOCAL_BROKER_SERVICE);
    expect(record?.nodes[0]?.metadata).toEqual({ broker: "local", topic: "greeted", queue: "" });
  });

  it("fans out to ungrouped subscribers and shares a queue group, across processes", async () => {
    const { directory, registry } = await setup();
    const workers = ["w1", "w2", "w3"].map((label) =>
      subscriber(directory, "jobs", "workers", label),
    );
    const watchers = ["a1", "a2"].map((label) => subscriber(directory, "jobs", "-", label));
    const bystander = subscriber(directory, "other-topic", "-", "x");
    await Promise.all([...workers, ...watchers, bystander].map((child) => child.waitFor(/ready/)));

    const publisher = broker({ registry });
    const sent = Array.from({ length: 60 }, (_, i) => String(i));
    for (const seq of sent)
      await publisher.publish("jobs", { header: { seq }, body: encode(`job ${seq}`) });

    await eventually(() => watchers.every((child) => seqs(child).length === 60));
    await eventually(() => workers.reduce((sum, child) => sum + seqs(child).length, 0) === 60);
    for (const child of watchers) expect(seqs(child)).toEqual(sent);
    const shares = workers.map((child) => seqs(child));
    expect(shares.flat().sort()).toEqual([...sent].sort()); // each job exactly once in the group
    for (const share of shares) expect(share.length).toBeGreaterThan(0);
    expect(workers[0]?.lines.find((l) => l.startsWith("got "))).toMatch(/^got w1 \d+ job \d+$/);
    expect(seqs(bystander)).toEqual([]);
  });

  it("a queue group loses nothing when a member is killed with SIGKILL", async () => {
    const { directory, registry } = await setup();
    const errors: [unknown, BrokerErrorContext][] = [];
    const publisher = broker({
      registry,
      onError: (error, context) => errors.push([error, context]),
    });
    const workers = ["w1", "w2", "w3"].map((label) =>
      subscriber(directory, "jobs", "workers", label),
    );
    await Promise.all(workers.map((child) => child.waitFor(/ready/)));
    await publisher.publish("jobs", { header: { seq: "warmup" }, body: encode("warm") });

    await workers[0]?.kill9();
    // Published at once, before any watcher could notice: the dead member refuses the
    // connection and its messages go to the others.
    const sent = Array.from({ length: 30 }, (_, i) => String(i));
    for (const seq of sent) await publisher.publish("jobs", { header: { seq }, body: encode(seq) });
    const survivors = workers.slice(1);
    await eventually(
      () =>
        survivors.reduce(
          (sum, child) => sum + seqs(child).filter((s) => s !== "warmup").length,
          0,
        ) === 30,
    );
    expect(
      survivors
        .flatMap((child) => seqs(child))
        .filter((s) => s !== "warmup")
        .sort(),
    ).toEqual([...sent].sort());
    expect(errors).toEqual([]);
    // The registry forgets the dead subscriber (pid check), so the cache drops it too.
    await eventually(
      async () => (await registry.getService(LOCAL_BROKER_SERVICE))[0]?.nodes.length === 2,
    );
  });

  it("reports an unreachable ungrouped subscriber and still delivers to the rest", async () => {
    const { directory, registry } = await setup();
    const errors: [unknown, BrokerErrorContext][] = [];
    const publisher = broker({
      registry,
      onError: (error, context) => errors.push([error, context]),
    });
    const alive = subscriber(directory, "news", "-", "alive");
    const doomed = subscriber(directory, "news", "-", "doomed");
    await Promise.all([alive.waitFor(/ready/), doomed.waitFor(/ready/)]);
    await publisher.publish("news", { header: { seq: "0" }, body: encode("first") });
    await doomed.kill9();
    await publisher.publish("news", { header: { seq: "1" }, body: encode("second") });
    await eventually(() => seqs(alive).length === 2);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toEqual({ operation: "deliver", topic: "news", queue: undefined });
    expect(String(errors[0]?.[0])).toMatch(/could be reached/);
  });

  it("disconnect in another process deregisters its subscription", async () => {
    const { directory, registry } = await setup();
    const child = subscriber(directory, "t", "-", "c");
    await child.waitFor(/ready/);
    expect((await registry.getService(LOCAL_BROKER_SERVICE))[0]?.nodes).toHaveLength(1);
    child.process.kill("SIGTERM");
    await child.waitFor(/disconnected/).catch(() => undefined);
    await child.exited;
    expect(await registry.getService(LOCAL_BROKER_SERVICE)).toEqual([]);
  });

  it("keeps a subscription after its handler rejects, and reports the rejection", async () => {
    const { registry } = await setup();
    const errors: [unknown, BrokerErrorContext][] = [];
    const receiver = broker({
      registry,
      onError: (error, context) => errors.push([error, context]),
    });
    const publisher = broker({ registry });
    const seen: string[] = [];
    await receiver.subscribe(
      "t",
      async (m) => {
        seen.push(decode(m));
        if (decode(m) === "bad") throw new Error("cannot handle");
      },
      { queue: "q" },
    );
    await publisher.publish("t", { header: {}, body: encode("bad") });
    await publisher.publish("t", { header: {}, body: encode("good") });
    await eventually(() => errors.length === 1 && seen.length === 2);
    expect(seen).toEqual(["bad", "good"]);
    expect((errors[0]?.[0] as Error).message).toBe("cannot handle");
    expect(errors[0]?.[1]).toEqual({ operation: "handle", topic: "t", queue: "q" });
  });

  it("publishes from a watched cache: no registry read per message", async () => {
    const { registry } = await setup();
    let reads = 0;
    const counted: Registry = Object.create(registry) as Registry;
    counted.getService = (name) => {
      reads++;
      return registry.getService(name);
    };
    const publisher = broker({ registry: counted });
    await publisher.publish("nobody-listens", { header: {}, body: encode("x") }); // succeeds
    const receiver = broker({ registry });
    const seen: string[] = [];
    await receiver.subscribe("t", (m) => {
      seen.push(decode(m));
    });
    // The new subscription reaches the publisher through the watch, not through a read.
    await eventually(async () => {
      await publisher.publish("t", { header: {}, body: encode("ping") });
      return seen.length > 0;
    });
    for (let i = 0; i < 50; i++) await publisher.publish("t", { header: {}, body: encode("x") });
    expect(reads).toBe(1);
  });

  it("unsubscribe and disconnect stop delivery and close the HTTP server", async () => {
    const { registry } = await setup();
    const errors: unknown[] = [];
    const receiver = broker({ registry });
    const publisher = broker({ registry, onError: (error) => errors.push(error) });
    const seen: string[] = [];
    const one = await receiver.subscribe("t", (m) => {
      seen.push(`one:${decode(m)}`);
    });
    await receiver.subscribe("t", (m) => {
      seen.push(`two:${decode(m)}`);
    });
    await publisher.publish("t", { header: {}, body: encode("1") });
    await one.unsubscribe();
    await eventually(async () => {
      seen.length = 0;
      await publisher.publish("t", { header: {}, body: encode("2") });
      return seen.join() === "two:2";
    });
    expect(errors).toEqual([]); // a subscription that ended is not a delivery failure
    const [record] = await registry.getService(LOCAL_BROKER_SERVICE);
    const address = record?.nodes[0]?.address as string;
    await receiver.disconnect();
    expect(await registry.getService(LOCAL_BROKER_SERVICE)).toEqual([]);
    await expect(fetch(`http://${address}/micro/broker/x`, { method: "POST" })).rejects.toThrow();
  });

  it("refuses oversized messages and bad options with clear errors", async () => {
    const { registry } = await setup();
    const small = broker({ registry, maxMessageBytes: 1024 });
    await expect(
      small.publish("t", { header: {}, body: new Uint8Array(2048) }),
    ).rejects.toMatchObject({
      code: 413,
    });
    expect(() => createLocalBroker({ registry, address: "nonsense" })).toThrow(
      /address must be "host:port"/,
    );
    const taken = broker({ registry });
    await taken.subscribe("t", () => undefined);
    const [record] = await registry.getService(LOCAL_BROKER_SERVICE);
    const clash = createLocalBroker({ registry, address: record?.nodes[0]?.address as string });
    await expect(clash.connect()).rejects.toThrow(/cannot listen on .*MICRO_BROKER_ADDRESS/);
  });
});

// The NATS broker against a nats-server of its own: fan-out, queue groups, headers,
// bad input, fail-fast on a wrong address, and subscriptions surviving a server restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Broker, BrokerMessage } from "../../src/broker/broker.js";
import type { BrokerErrorContext } from "../../src/broker/delivery.js";
import { MicroError } from "../../src/errors/micro-error.js";
import { createNatsBroker } from "../../src/nats/nats-broker.js";
import { freePort } from "./free-port.js";
import { type NatsServer, startNatsServer } from "./nats-server.js";

const message = (text: string, header: Record<string, string> = {}): BrokerMessage => ({
  header,
  body: new TextEncoder().encode(text),
});
const text = (m: BrokerMessage) => new TextDecoder().decode(m.body);

async function until(check: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("nats broker", () => {
  let server: NatsServer;
  const brokers: Broker[] = [];
  const broker = async () => {
    const created = createNatsBroker({ servers: server.address });
    await created.connect();
    brokers.push(created);
    return created;
  };

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.disconnect()));
    await server.close();
  });

  it("fans out to every subscriber and gives each message to one member per queue group, across connections", async () => {
    const [a, b, c] = [await broker(), await broker(), await broker()];
    const got: Record<string, string[]> = {};
    const record = (name: string) => (m: BrokerMessage) => {
      (got[name] ??= []).push(text(m));
    };
    await a.subscribe("orders.created", record("audit"));
    await b.subscribe("orders.created", record("mail"));
    await a.subscribe("orders.created", record("w1"), { queue: "workers" });
    await b.subscribe("orders.created", record("w2"), { queue: "workers" });
    await c.subscribe("orders.created", record("w3"), { queue: "workers" });
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
    for (const body of sent) await c.publish("orders.created", message(body));
    await until(
      () =>
        (got.audit?.length ?? 0) === 300 &&
        (got.mail?.length ?? 0) === 300 &&
        ["w1", "w2", "w3"].reduce((n, w) => n + (got[w]?.length ?? 0), 0) === 300,
    );
    expect(got.audit).toEqual(sent);
    expect(got.mail).toEqual(sent);
    const workers = ["w1", "w2", "w3"].flatMap((w) => got[w] ?? []);
    expect(new Set(workers).size).toBe(300);
    for (const w of ["w1", "w2", "w3"]) expect(got[w]?.length ?? 0).toBeGreaterThan(30);
  });

  it("flush resolves once the server has every message published before it", async () => {
    const [a, b] = [await broker(), await broker()];
    let received = 0;
    await a.subscribe("t.flush", () => void received++);
    // Published without waiting: the bytes are still queued in b's connection here.
    const body = new Uint8Array(1_000);
    await Promise.all(
      Array.from({ length: 2_000 }, () => b.publish("t.flush", { header: {}, body })),
    );
    expect(b.flush).toBeTypeOf("function");
    await b.flush?.();
    // The server forwarded all of them before answering b; a's round trip comes after them.
    await a.flush?.();
    expect(received).toBe(2_000);
  });

  it("carries any header string and the body unchanged", async () => {
    const [a, b] = [await broker(), await broker()];
    const received: BrokerMessage[] = [];
    await a.subscribe("t.headers", (m) => {
      received.push(m);
    });
    const header = { "Content-Type": "application/proto", "x-ü": "line1\nline2", empty: "" };
    await b.publish("t.headers", { header, body: new Uint8Array([0, 1, 2, 255]) });
    await until(() => received.length === 1);
    expect(received[0]?.header).toEqual(header);
    expect([...(received[0]?.body ?? [])]).toEqual([0, 1, 2, 255]);
  });

  it("reports a throwing handler and keeps delivering", async () => {
    const errors: BrokerErrorContext[] = [];
    const a = createNatsBroker({ servers: server.address, onError: (_e, c) => errors.push(c) });
    brokers.push(a);
    const seen: string[] = [];
    await a.subscribe("t.throw", (m) => {
      seen.push(text(m));
      if (text(m) === "bad") throw new Error("boom");
    });
    await a.publish("t.throw", message("bad"));
    await a.publish("t.throw", message("good"));
    await until(() => seen.length === 2);
    expect(errors).toEqual([{ operation: "handle", topic: "t.throw", queue: undefined }]);
  });

  it("stops delivering after unsubscribe", async () => {
    const a = await broker();
    const seen: string[] = [];
    const sub = await a.subscribe("t.unsub", (m) => {
      seen.push(text(m));
    });
    await a.publish("t.unsub", message("one"));
    await until(() => seen.length === 1);
    await sub.unsubscribe();
    await a.publish("t.unsub", message("two"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual(["one"]);
  });

  it("rejects topics that are not NATS subjects with a 400 naming the topic", async () => {
    const a = await broker();
    for (const topic of ["a b", "orders.*", "orders.>", "a..b", ""]) {
      const error = await a.publish(topic, message("x")).catch((e: unknown) => e);
      expect(error, topic).toBeInstanceOf(MicroError);
      expect((error as MicroError).code, topic).toBe(400);
    }
  });

  it("fails fast with a message naming the address when nothing listens", async () => {
    const port = await freePort();
    const lonely = createNatsBroker({ servers: `127.0.0.1:${port}`, connectTimeout: 500 });
    const started = Date.now();
    const error = await lonely.connect().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(MicroError);
    expect((error as MicroError).detail).toContain(
      `cannot reach NATS at 127.0.0.1:${port} within 500 ms`,
    );
  });

  it("keeps subscriptions across a server restart", async () => {
    const [a, b] = [await broker(), await broker()];
    const seen: string[] = [];
    await a.subscribe("t.restart", (m) => {
      seen.push(text(m));
    });
    await b.publish("t.restart", message("before"));
    await until(() => seen.length === 1);
    await server.stop();
    await server.start();
    // Publish until one gets through: both clients reconnect on their own.
    for (let i = 0; !seen.includes("after") && i < 200; i++) {
      await b.publish("t.restart", message("after"));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen).toContain("after");
  });
});

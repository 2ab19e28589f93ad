// The in-process broker: fan-out, queue groups, headers, handler failures, unsubscribe.
import { describe, expect, it } from "vitest";
import type { BrokerMessage } from "../../src/broker/broker.js";
import { MicroError } from "../../src/errors/micro-error.js";
import type { BrokerErrorContext } from "../../src/broker/delivery.js";
import { createMemoryBroker } from "../../src/broker/memory-broker.js";

const message = (text: string, header: Record<string, string> = {}): BrokerMessage => ({
  header,
  body: new TextEncoder().encode(text),
});
const text = (m: BrokerMessage) => new TextDecoder().decode(m.body);

describe("memory broker", () => {
  it("gives every message to each ungrouped subscriber and to one member per queue group", async () => {
    const broker = createMemoryBroker();
    const got: Record<string, string[]> = {};
    const record = (name: string) => (m: BrokerMessage) => {
      (got[name] ??= []).push(text(m));
    };
    await broker.subscribe("orders", record("audit"));
    await broker.subscribe("orders", record("mail"));
    for (const name of ["w1", "w2", "w3"])
      await broker.subscribe("orders", record(name), { queue: "workers" });
    for (const name of ["b1", "b2"])
      await broker.subscribe("orders", record(name), { queue: "billing" });
    await broker.subscribe("other", record("other"));

    const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);
    for (const body of sent) await broker.publish("orders", message(body));

    expect(got.audit).toEqual(sent);
    expect(got.mail).toEqual(sent);
    expect(got.other).toBeUndefined();
    for (const [group, members] of [
      ["workers", ["w1", "w2", "w3"]],
      ["billing", ["b1", "b2"]],
    ] as const) {
      const received = members.flatMap((name) => got[name] ?? []);
      expect(received.sort(), group).toEqual([...sent].sort());
      for (const name of members) expect((got[name] ?? []).length).toBe(30 / members.length);
    }
  });

  it("carries headers and body, and a subscriber cannot alter the publisher's header", async () => {
    const broker = createMemoryBroker();
    const received: BrokerMessage[] = [];
    await broker.subscribe("t", (m) => {
      received.push(m);
    });
    const header = { "content-type": "application/protobuf", "micro-id": "ü-1" };
    await broker.publish("t", message("hello", header));
    expect(received[0]?.header).toEqual(header);
    expect(text(received[0] as BrokerMessage)).toBe("hello");
    expect(Object.isFrozen(received[0]?.header)).toBe(true);
  });

  it("reports a throwing or rejecting handler and keeps the subscription alive", async () => {
    const errors: [unknown, BrokerErrorContext][] = [];
    const broker = createMemoryBroker({
      onError: (error, context) => errors.push([error, context]),
    });
    const seen: string[] = [];
    await broker.subscribe(
      "t",
      async (m) => {
        seen.push(text(m));
        if (text(m) === "bad") throw new Error("handler failed");
      },
      { queue: "q" },
    );
    await broker.subscribe("t", (m) => {
      if (text(m) === "bad") throw new Error("sync failure");
    });
    await broker.publish("t", message("bad"));
    await broker.publish("t", message("good"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(["bad", "good"]);
    expect(errors.map(([error, context]) => [(error as Error).message, context])).toEqual([
      ["sync failure", { operation: "handle", topic: "t", queue: undefined }],
      ["handler failed", { operation: "handle", topic: "t", queue: "q" }],
    ]);
  });

  it("stops delivering after unsubscribe and disconnect, and accepts a topic nobody reads", async () => {
    const broker = createMemoryBroker();
    const seen: string[] = [];
    const sub = await broker.subscribe("t", (m) => {
      seen.push(text(m));
    });
    expect(sub).toMatchObject({ topic: "t", queue: undefined });
    await broker.publish("t", message("1"));
    await sub.unsubscribe();
    await sub.unsubscribe();
    await broker.publish("t", message("2"));
    await broker.subscribe("t", (m) => {
      seen.push(text(m));
    });
    await broker.disconnect();
    await broker.publish("t", message("3"));
    await broker.publish("nobody", message("4"));
    expect(seen).toEqual(["1"]);
  });

  it("rejects bad input with a 400 naming it", async () => {
    const broker = createMemoryBroker();
    await expect(broker.publish("", message("x"))).rejects.toThrow(
      /topic must be a non-empty string/,
    );
    await expect(broker.subscribe("t", () => undefined, { queue: "" })).rejects.toThrow(
      /queue of topic t/,
    );
    const error = await broker
      .publish("t", { header: {}, body: "text" as unknown as Uint8Array })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect(error).toMatchObject({ code: 400 });
    expect((error as MicroError).detail).toMatch(/body .* must be a Uint8Array/);
  });
});

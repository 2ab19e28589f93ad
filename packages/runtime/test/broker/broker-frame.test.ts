// The frame the local and NATS brokers send: headers survive exactly, including the keys
// the frame leaves out when the receiver can derive them, and malformed frames are named.
import { describe, expect, it } from "vitest";
import { createFrameEncoder, decodeFrame, encodeFrame } from "../../src/broker/broker-frame.js";

const body = new Uint8Array([0, 1, 2, 255]);
const roundTrip = (topic: string, header: Record<string, string>, arrivedOn = topic) =>
  decodeFrame(arrivedOn, Buffer.from(encodeFrame(topic, { header, body })));

describe("broker frame", () => {
  it("restores the topic and the proto content-type it leaves out, and sends them in few bytes", () => {
    const header = {
      "content-type": "application/proto",
      "micro-topic": "greeter.greeted",
      "micro-id": "abcdefghijklmnop-1z",
    };
    const frame = encodeFrame("greeter.greeted", { header, body });
    // prefix 5 + id entry (code, length, 19 bytes) + body
    expect(frame.length).toBe(5 + 2 + 19 + body.length);
    const decoded = decodeFrame("greeter.greeted", Buffer.from(frame));
    expect(decoded.header).toEqual(header);
    expect([...decoded.body]).toEqual([...body]);
  });

  it("spells out a topic other than the one it travels on, and any other content-type", () => {
    const header = { "content-type": "application/json", "micro-topic": "other.topic" };
    expect(roundTrip("greeter.greeted", header).header).toEqual(header);
  });

  it("does not invent keys the message did not have", () => {
    expect(roundTrip("t.plain", {}).header).toEqual({});
    expect(roundTrip("t.plain", { "micro-topic": "t.plain" }, "t.plain").header).toEqual({
      "micro-topic": "t.plain",
    });
  });

  it("carries non-ASCII, empty, long (over 255 bytes) strings and a __proto__ key unchanged", () => {
    const header: Record<string, string> = {
      "x-ü": "line1\nline2 — ü".repeat(40),
      empty: "",
      ["k".repeat(300)]: "v",
      "Content-Type": "application/proto",
    };
    Object.defineProperty(header, "__proto__", { value: "p", enumerable: true });
    const decoded = roundTrip("t.h", header).header;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.entries(decoded).sort()).toEqual(Object.entries(header).sort());
  });

  it("an encoder's frames share slabs without overwriting each other", () => {
    const encoder = createFrameEncoder();
    const sent = Array.from({ length: 3_000 }, (_, i) => ({
      header: { "micro-id": `id-${i}`, ...(i % 7 === 0 ? { "x-ü": "ü".repeat(i % 300) } : {}) },
      body: new Uint8Array(i % 50 === 0 ? 40_000 : i % 100).fill(i % 256),
    }));
    const frames = sent.map((m) => encoder.encode("t.slab", m));
    frames.forEach((frame, i) => {
      const decoded = decodeFrame(
        "t.slab",
        Buffer.from(frame.buffer, frame.byteOffset, frame.length),
      );
      expect(decoded.header).toEqual(sent[i]?.header);
      expect(Buffer.from(decoded.body).equals(Buffer.from(sent[i]?.body ?? []))).toBe(true);
    });
  });

  it("names what is malformed", () => {
    const good = Buffer.from(encodeFrame("t", { header: { a: "b" }, body }));
    expect(() => decodeFrame("t", Buffer.from([0, 0]))).toThrow(/shorter than its prefix/);
    expect(() => decodeFrame("t", Buffer.from([9, 0, 0, 0, 0]))).toThrow(/unknown frame flags/);
    expect(() => decodeFrame("t", Buffer.from([0, 0, 0, 0, 9]))).toThrow(/beyond the frame/);
    expect(() => decodeFrame("t", Buffer.from([0, 0, 0, 0, 1, 7]))).toThrow(/unknown header key/);
    const cut = Buffer.from(good.subarray(0, 5 + 4));
    cut.writeUInt32BE(4, 1);
    expect(() => decodeFrame("t", cut)).toThrow(/beyond the header|cut short/);
  });
});

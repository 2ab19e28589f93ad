import { describe, expect, it } from "vitest";
import type { BinaryWriter } from "@bufbuild/protobuf/wire";
import { createProtoCodec } from "../../src/codec/proto-codec.js";
import type { MessageType } from "../../src/index.js";
import { SayRequest, SayResponse } from "../fixtures/echo-descriptor.js";

describe("createProtoCodec", () => {
  it("round-trips messages while reusing its writer", () => {
    const codec = createProtoCodec();
    for (const text of ["a", "longer text", ""]) {
      const request = SayRequest.fromPartial({ text, delayMs: 7 });
      expect(codec.decode(codec.encode(request, SayRequest), SayRequest)).toEqual(request);
    }
  });

  it("starts afresh after an encode fails half-way, so no bytes leak into the next message", () => {
    const codec = createProtoCodec();
    // A message type whose encode writes, opens a fork, then fails, as a bad field would.
    const failing: MessageType<object> = {
      encode(_message, writer) {
        const w = writer as BinaryWriter;
        w.uint32(10).string("partial").uint32(18).fork().string("open");
        throw new Error("cannot encode field 3");
      },
      decode: () => ({}),
      fromJSON: () => ({}),
      toJSON: () => ({}),
    };
    expect(() => codec.encode({}, failing)).toThrow("cannot encode field 3");
    const good = SayResponse.fromPartial({ text: "clean" });
    expect(codec.encode(good, SayResponse)).toEqual(SayResponse.encode(good).finish());
  });

  it("rejects malformed bytes with a 400", () => {
    const codec = createProtoCodec();
    expect(() => codec.decode(new Uint8Array([0xff, 0xff, 0xff]), SayRequest)).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });
});

import { describe, expect, it } from "vitest";
import { Empty } from "./gen/google/protobuf/empty.js";
import { Struct } from "./gen/google/protobuf/struct.js";
import { Timestamp } from "./gen/google/protobuf/timestamp.js";
import { StringValue } from "./gen/google/protobuf/wrappers.js";
import { ClockDescriptor } from "./gen/wkt/v1/wkt.micro.js";

describe("wkt snapshot", () => {
  it("uses ts-proto's well-known-type fns as rpc input and output", () => {
    expect(ClockDescriptor.methods.Now.input).toBe(Empty);
    expect(ClockDescriptor.methods.Now.output).toBe(Timestamp);
    expect(ClockDescriptor.methods.Describe.input).toBe(Struct);
    expect(ClockDescriptor.methods.Name.input).toBe(StringValue);
    expect(ClockDescriptor.methods.Ticks.kind).toBe("server_streaming");
  });

  it("round-trips a Timestamp and a Struct through the descriptor's codecs", () => {
    const now = ClockDescriptor.methods.Now.output;
    const ts = now.decode(now.encode({ seconds: 1_700_000_000, nanos: 5 }).finish());
    expect(ts).toEqual({ seconds: 1_700_000_000, nanos: 5 });
    const describe = ClockDescriptor.methods.Describe.input;
    // ts-proto's Struct JSON keeps its `fields` wrapper.
    const struct = describe.fromJSON({ fields: { a: 1, b: ["x"] } });
    expect(describe.decode(describe.encode(struct).finish())).toEqual({
      fields: { a: 1, b: ["x"] },
    });
  });

  it("describes WKT fields by full name", () => {
    expect(ClockDescriptor.methods.Pack.endpoint.response.fields).toEqual([
      { name: "at", type: "google.protobuf.Timestamp", kind: "message" },
      { name: "took", type: "google.protobuf.Duration", kind: "message" },
      { name: "data", type: "google.protobuf.Struct", kind: "message" },
      { name: "note", type: "google.protobuf.StringValue", kind: "message" },
      { name: "details", type: "google.protobuf.Any", kind: "message", repeated: true },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import {
  SayRequest,
  SayResponse,
  Shouted,
} from "../../../packages/runtime/test/fixtures/gen/echo/v1/echo.js";
import { Empty } from "./gen/google/protobuf/empty.pb.js";
import { PongTopic, RelayDescriptor } from "./gen/options/v1/options.micro.js";
import { Pong } from "./gen/options/v1/options.pb.js";

describe("options snapshot (fileSuffix=.pb, importSuffix=.js, M mapping)", () => {
  it("imports the M-mapped file's messages from the mapped module", () => {
    expect(RelayDescriptor.methods.Forward.input).toBe(SayRequest);
    expect(RelayDescriptor.methods.Forward.output).toBe(SayResponse);
    expect(RelayDescriptor.methods.Shouts.output).toBe(Shouted);
  });

  it("imports suffixed ts-proto files", () => {
    expect(RelayDescriptor.methods.Ping.input).toBe(Empty);
    expect(RelayDescriptor.methods.Ping.output).toBe(Pong);
    expect(PongTopic).toEqual({
      topic: "options.pong",
      type: Pong,
      typeName: "options.v1.Pong",
      queue: "relay",
    });
  });
});

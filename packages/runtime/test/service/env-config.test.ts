import { describe, expect, it } from "vitest";
import { ConfigError, parseAddress, readEnvConfig } from "../../src/service/env-config.js";

describe("readEnvConfig", () => {
  it("reads every MICRO_* setting", () => {
    const config = readEnvConfig({
      MICRO_SERVER_NAME: "greeter",
      MICRO_SERVER_ADDRESS: ":9090",
      MICRO_TRANSPORT: "grpc",
      MICRO_REGISTRY: "memory",
      MICRO_REGISTRY_ADDRESS: "/tmp/reg",
      MICRO_BROKER: "memory",
      MICRO_REGISTER_TTL: "90",
      MICRO_REGISTER_INTERVAL: "1500ms",
      MICRO_CLIENT_RETRIES: "0",
      MICRO_LOG_LEVEL: "debug",
    });
    expect(config).toEqual({
      serverName: "greeter",
      serverAddress: "0.0.0.0:9090",
      transport: "grpc",
      registry: "memory",
      registryAddress: "/tmp/reg",
      broker: "memory",
      registerTtl: 90_000,
      registerInterval: 1500,
      clientRetries: 0,
      logLevel: "debug",
    });
  });

  it("ignores unset and empty variables", () => {
    expect(readEnvConfig({ MICRO_TRANSPORT: "", PATH: "/bin" })).toEqual({});
  });

  it.each([
    [
      "MICRO_TRANSPORT",
      "tcp",
      /MICRO_TRANSPORT=tcp is not supported; use one of: http, grpc, memory/,
    ],
    ["MICRO_REGISTRY", "consul", /MICRO_REGISTRY=consul is not supported/],
    ["MICRO_BROKER", "kafka", /MICRO_BROKER=kafka is not supported/],
    ["MICRO_REGISTER_TTL", "soon", /MICRO_REGISTER_TTL=soon is not a duration/],
    ["MICRO_REGISTER_INTERVAL", "-5", /MICRO_REGISTER_INTERVAL=-5 is not a duration/],
    ["MICRO_SERVER_ADDRESS", "localhost", /MICRO_SERVER_ADDRESS=localhost is not an address/],
    ["MICRO_SERVER_ADDRESS", "1.2.3.4:70000", /is not an address/],
    ["MICRO_CLIENT_RETRIES", "two", /MICRO_CLIENT_RETRIES=two is not a whole number/],
    ["MICRO_LOG_LEVEL", "loud", /MICRO_LOG_LEVEL=loud is not a log level/],
  ])("rejects %s=%s with a message naming it", (key, value, message) => {
    expect(() => readEnvConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => readEnvConfig({ [key]: value })).toThrow(message);
  });
});

describe("parseAddress", () => {
  it("accepts host:port, :port and IPv6", () => {
    expect(parseAddress("X", "127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseAddress("X", ":8080")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(parseAddress("X", "[::1]:8080")).toEqual({ host: "::1", port: 8080 });
  });
});

// The one mapping from MICRO_* to engines, shared by services (components.ts) and the
// micro CLI: which engine each name picks, which address it gets, and what the CLI does
// with a node's transport. Engines are pointed at closed ports: the error names the address.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  type ServiceRecord,
  createBrokerFromEnv,
  createLocalRegistry,
  createMemoryRegistry,
  createRegistryFromEnv,
  createTransportFromEnv,
  readEnvConfig,
} from "@micro-ts/runtime";
import {
  createConfiguredJsonTransport,
  jsonTransportFor,
  nodeTransport,
  readCliConfig,
} from "../../src/cli/cli-env.js";
import { probeMethod } from "../../src/cli/json-method.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const noErrors = () => undefined;
const closed = "127.0.0.1:1";

function record(transports: readonly string[]): ServiceRecord {
  return {
    name: "greeter",
    version: "1.0.0",
    metadata: {},
    endpoints: [],
    nodes: transports.map((transport, i) => ({
      id: `greeter-${i}`,
      address: `127.0.0.1:${1000 + i}`,
      metadata: { transport },
    })),
  };
}

describe("createRegistryFromEnv", () => {
  it("picks local by default, and memory, nats, etcd by name", async () => {
    for (const [registry, name] of [
      [undefined, "local"],
      ["memory", "memory"],
      ["nats", "nats"],
      ["etcd", "etcd"],
    ] as const) {
      const created = createRegistryFromEnv(
        readEnvConfig(registry ? { MICRO_REGISTRY: registry } : {}),
      );
      expect(created.name).toBe(name);
      await created.close();
    }
  });

  it("gives the local registry MICRO_REGISTRY_ADDRESS as its folder", async () => {
    const directory = mkdtempSync(join(tmpdir(), "micro-env-"));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const fromEnv = createRegistryFromEnv(readEnvConfig({ MICRO_REGISTRY_ADDRESS: directory }));
    const direct = createLocalRegistry({ directory });
    cleanups.push(
      () => direct.close(),
      () => fromEnv.close(),
    );
    await fromEnv.register(record(["http"]));
    expect((await direct.getService("greeter")).map((r) => r.nodes.length)).toEqual([1]);
  });

  it("gives nats and etcd the address and MICRO_CONNECT_TIMEOUT", async () => {
    const nats = createRegistryFromEnv(
      readEnvConfig({
        MICRO_REGISTRY: "nats",
        MICRO_REGISTRY_ADDRESS: closed,
        MICRO_CONNECT_TIMEOUT: "300ms",
      }),
    );
    cleanups.push(() => nats.close());
    await expect(nats.listServices()).rejects.toThrow(
      `cannot reach NATS at ${closed} within 300 ms`,
    );
    const etcd = createRegistryFromEnv(
      readEnvConfig({ MICRO_REGISTRY: "etcd", MICRO_REGISTRY_ADDRESS: closed }),
    );
    cleanups.push(() => etcd.close());
    await expect(etcd.listServices()).rejects.toThrow(`at ${closed}`);
  });
});

describe("createBrokerFromEnv", () => {
  it("picks local by default, and memory, nats by name, nats on MICRO_BROKER_ADDRESS", async () => {
    const registry = createMemoryRegistry();
    cleanups.push(() => registry.close());
    expect(createBrokerFromEnv(readEnvConfig({}), registry, noErrors).name).toBe("local");
    expect(
      createBrokerFromEnv(readEnvConfig({ MICRO_BROKER: "memory" }), registry, noErrors).name,
    ).toBe("memory");
    const nats = createBrokerFromEnv(
      readEnvConfig({
        MICRO_BROKER: "nats",
        MICRO_BROKER_ADDRESS: closed,
        MICRO_CONNECT_TIMEOUT: "300ms",
      }),
      registry,
      noErrors,
    );
    cleanups.push(() => nats.disconnect());
    expect(nats.name).toBe("nats");
    await expect(nats.connect()).rejects.toThrow(`cannot reach NATS at ${closed} within 300 ms`);
  });
});

describe("createTransportFromEnv", () => {
  it("picks http by default, and memory, grpc, nats by name", () => {
    for (const [transport, name] of [
      [undefined, "http"],
      ["memory", "memory"],
      ["grpc", "grpc"],
      ["nats", "nats"],
    ] as const) {
      const env = readEnvConfig(transport ? { MICRO_TRANSPORT: transport } : {});
      expect(createTransportFromEnv(env).name).toBe(name);
    }
  });

  it("refuses JSON on grpc, which carries protobuf only", () => {
    const env = readEnvConfig({ MICRO_TRANSPORT: "grpc" });
    expect(() => createTransportFromEnv(env, { codec: "json" })).toThrow(ConfigError);
    expect(() => createTransportFromEnv(env, { codec: "json" })).toThrow(/protobuf only/);
  });

  it("puts nats on its own address, else the broker's, else the registry's NATS", async () => {
    const unreachable = async (env: Record<string, string>, address: string) => {
      const client = createTransportFromEnv(
        readEnvConfig({ MICRO_TRANSPORT: "nats", MICRO_CONNECT_TIMEOUT: "300ms", ...env }),
      ).client();
      cleanups.push(() => client.close());
      await expect(
        client.unary(
          "micro.rpc.x",
          probeMethod,
          {},
          { metadata: {}, deadline: undefined, signal: undefined },
        ),
      ).rejects.toThrow(`cannot reach NATS at ${address}`);
    };
    await unreachable(
      { MICRO_REGISTRY: "nats", MICRO_REGISTRY_ADDRESS: "127.0.0.1:2" },
      "127.0.0.1:2",
    );
    await unreachable(
      {
        MICRO_REGISTRY: "nats",
        MICRO_REGISTRY_ADDRESS: "127.0.0.1:2",
        MICRO_BROKER: "nats",
        MICRO_BROKER_ADDRESS: "127.0.0.1:3",
      },
      "127.0.0.1:3",
    );
    await unreachable(
      {
        MICRO_BROKER: "nats",
        MICRO_BROKER_ADDRESS: "127.0.0.1:3",
        MICRO_TRANSPORT_ADDRESS: "127.0.0.1:4",
      },
      "127.0.0.1:4",
    );
  });
});

describe("the CLI's transport for a service", () => {
  const config = readCliConfig({});

  it("is the one its nodes use, the configured one first", () => {
    expect(jsonTransportFor(config, "greeter", [record(["http"])]).name).toBe("http");
    expect(jsonTransportFor(config, "greeter", [record(["nats"])]).name).toBe("nats");
    expect(jsonTransportFor(config, "greeter", [record(["grpc", "nats", "http"])]).name).toBe(
      "http",
    );
    const onNats = readCliConfig({ MICRO_TRANSPORT: "nats" });
    expect(jsonTransportFor(onNats, "greeter", [record(["http", "nats"])]).name).toBe("nats");
    // A node that names no transport is on the http default.
    const bare = { ...record([]), nodes: [{ id: "n", address: "127.0.0.1:1", metadata: {} }] };
    expect(jsonTransportFor(config, "greeter", [bare]).name).toBe("http");
  });

  it("is an error naming grpc and what to do when the service runs only on grpc", () => {
    expect(() => jsonTransportFor(config, "greeter", [record(["grpc"])])).toThrow(
      /runs only on the grpc transport.*MICRO_TRANSPORT=http or nats/,
    );
  });

  it("is an error for a node on a transport another process cannot reach", () => {
    expect(() => nodeTransport("greeter", { transport: "memory" })).toThrow(
      /memory transport, which another process cannot reach/,
    );
  });

  it("of the gateway and dashboard is MICRO_TRANSPORT, refusing grpc and memory", () => {
    expect(createConfiguredJsonTransport(readCliConfig({})).name).toBe("http");
    expect(createConfiguredJsonTransport(readCliConfig({ MICRO_TRANSPORT: "nats" })).name).toBe(
      "nats",
    );
    expect(() => createConfiguredJsonTransport(readCliConfig({ MICRO_TRANSPORT: "grpc" }))).toThrow(
      /MICRO_TRANSPORT=grpc: .*MICRO_TRANSPORT=http or nats/,
    );
    expect(() =>
      createConfiguredJsonTransport(readCliConfig({ MICRO_TRANSPORT: "memory" })),
    ).toThrow(/MICRO_TRANSPORT=memory lives inside one process/);
  });
});

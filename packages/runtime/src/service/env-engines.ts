import type { Broker } from "../broker/broker.js";
import type { BrokerErrorHandler } from "../broker/delivery.js";
import { createLazyBroker } from "../broker/lazy-broker.js";
import { createLocalBroker } from "../broker/local-broker.js";
import { createMemoryBroker } from "../broker/memory-broker.js";
import { createLazyRegistry } from "../registry/lazy-registry.js";
import { createLocalRegistry } from "../registry/local-registry.js";
import { createMemoryRegistry } from "../registry/memory-registry.js";
import type { Registry } from "../registry/registry.js";
import { createHttpTransport } from "../transport/http/http-transport.js";
import { createLazyTransport } from "../transport/lazy-transport.js";
import { createMemoryTransport } from "../transport/memory/memory-transport.js";
import type { Transport } from "../transport/transport.js";
import { ConfigError, type EnvConfig } from "./env-config.js";

/** How a transport built from the environment encodes what its client sends. */
export interface TransportFromEnvOptions {
  /**
   * `proto` (default) for generated clients; `json` for callers without the generated
   * types (the `micro` CLI, the gateway). The http and nats transports carry both; the
   * grpc transport carries protobuf only, so `json` with grpc is a ConfigError.
   */
  readonly codec?: "proto" | "json";
}

/**
 * The registry `MICRO_REGISTRY` / `MICRO_REGISTRY_ADDRESS` / `MICRO_CONNECT_TIMEOUT` name
 * (default: local). The one mapping services and the `micro` CLI share, so both always
 * look at the same registry. Engines load on first use, with an install hint when missing.
 */
export function createRegistryFromEnv(env: EnvConfig): Registry {
  switch (env.registry ?? "local") {
    case "local":
      return createLocalRegistry(
        env.registryAddress === undefined ? {} : { directory: env.registryAddress },
      );
    case "memory":
      return createMemoryRegistry();
    case "nats":
      return createLazyRegistry("nats", async () =>
        (await loadNats("MICRO_REGISTRY")).createNatsRegistry(
          natsOptions(env, env.registryAddress),
        ),
      );
    case "etcd":
      return createLazyRegistry("etcd", async () => {
        const etcd = await import("../etcd/index.js").catch((error: unknown) => {
          throw new Error(
            `MICRO_REGISTRY=etcd needs the optional dependency etcd3: npm install etcd3 (${String(error)})`,
          );
        });
        return etcd.createEtcdRegistry({
          ...(env.registryAddress === undefined ? {} : { hosts: env.registryAddress }),
          ...(env.connectTimeout === undefined ? {} : { connectTimeout: env.connectTimeout }),
        });
      });
  }
}

/**
 * The broker `MICRO_BROKER` / `MICRO_BROKER_ADDRESS` name (default: local, which finds
 * subscribers through `registry`). Delivery failures that have no caller go to `onError`.
 */
export function createBrokerFromEnv(
  env: EnvConfig,
  registry: Registry,
  onError: BrokerErrorHandler,
): Broker {
  switch (env.broker ?? "local") {
    case "local":
      return createLocalBroker({
        registry,
        ...(env.brokerAddress === undefined ? {} : { address: env.brokerAddress }),
        ...(env.maxMessageBytes === undefined ? {} : { maxMessageBytes: env.maxMessageBytes }),
        onError,
      });
    case "memory":
      return createMemoryBroker();
    case "nats":
      return createLazyBroker("nats", async () =>
        (await loadNats("MICRO_BROKER")).createNatsBroker({
          ...natsOptions(env, env.brokerAddress),
          onError,
        }),
      );
  }
}

/**
 * The transport `MICRO_TRANSPORT` / `MICRO_TRANSPORT_ADDRESS` name (default: http).
 * Without an address of its own, the nats transport uses the NATS of the broker or registry.
 */
export function createTransportFromEnv(
  env: EnvConfig,
  options: TransportFromEnvOptions = {},
): Transport {
  const codec = options.codec ?? "proto";
  switch (env.transport ?? "http") {
    case "http":
      return createHttpTransport({ codec });
    case "memory":
      return createMemoryTransport();
    case "grpc":
      if (codec === "json") {
        throw new ConfigError(
          "the grpc transport carries protobuf only, so it cannot send JSON without the generated " +
            "types; call the service from code with its generated client, or run it with " +
            "MICRO_TRANSPORT=http or nats",
        );
      }
      return createLazyTransport("grpc", async () => {
        const grpc = await import("../transport/grpc/index.js").catch((error: unknown) => {
          throw new Error(
            `MICRO_TRANSPORT=grpc needs the optional dependency @grpc/grpc-js: npm install @grpc/grpc-js (${String(error)})`,
          );
        });
        return grpc.createGrpcTransport();
      });
    case "nats": {
      const servers =
        env.transportAddress ??
        (env.broker === "nats" ? env.brokerAddress : undefined) ??
        (env.registry === "nats" ? env.registryAddress : undefined);
      return createLazyTransport("nats", async () =>
        (await loadNats("MICRO_TRANSPORT")).createNatsTransport({
          ...natsOptions(env, servers),
          ...(codec === "proto" ? {} : { codec }),
        }),
      );
    }
  }
}

/** NATS connection settings from the environment: servers and the start-up wait. */
function natsOptions(
  env: EnvConfig,
  servers: string | undefined,
): { servers?: string; connectTimeout?: number } {
  return {
    ...(servers === undefined ? {} : { servers }),
    ...(env.connectTimeout === undefined ? {} : { connectTimeout: env.connectTimeout }),
  };
}

/** Loads `@micro-ts/runtime/nats`, naming the packages to install when they are missing. */
function loadNats(variable: string): Promise<typeof import("../nats/index.js")> {
  return import("../nats/index.js").catch((error: unknown) => {
    throw new Error(
      `${variable}=nats needs the optional dependencies @nats-io/transport-node, @nats-io/jetstream ` +
        `and @nats-io/kv: npm install @nats-io/transport-node @nats-io/jetstream @nats-io/kv (${String(error)})`,
    );
  });
}

import type { Broker } from "../broker/broker.js";
import type { BrokerErrorHandler } from "../broker/delivery.js";
import { createLazyBroker } from "../broker/lazy-broker.js";
import { createLocalBroker } from "../broker/local-broker.js";
import { createMemoryBroker } from "../broker/memory-broker.js";
import type { Logger } from "../logger/logger.js";
import { createLazyRegistry } from "../registry/lazy-registry.js";
import { createLocalRegistry } from "../registry/local-registry.js";
import { createMemoryRegistry } from "../registry/memory-registry.js";
import type { Registry } from "../registry/registry.js";
import { createSelector } from "../selector/registry-selector.js";
import type { Selector } from "../selector/selector.js";
import { createHttpTransport } from "../transport/http/http-transport.js";
import { createLazyTransport } from "../transport/lazy-transport.js";
import { createMemoryTransport } from "../transport/memory/memory-transport.js";
import type { Transport } from "../transport/transport.js";
import type { EnvConfig } from "./env-config.js";

/** The engines a service runs on, and how to release the ones it created itself. */
export interface Components {
  readonly transport: Transport;
  readonly registry: Registry;
  readonly broker: Broker;
  readonly selector: Selector;
  /** Closes what was created here; instances passed in by the caller are theirs to close. */
  close(): Promise<void>;
}

/** What decides the components: instances passed in code, else `MICRO_*` names, else defaults. */
export interface ComponentChoices {
  readonly env: EnvConfig;
  readonly options: {
    readonly transport?: Transport;
    readonly registry?: Registry;
    readonly broker?: Broker;
    readonly selector?: Selector;
  };
  readonly logger: Logger;
}

/**
 * Builds transport, registry, broker and selector. The defaults (http, local, local)
 * need nothing but this machine; engines behind subpath exports load only when chosen.
 */
export function createComponents({ env, options, logger }: ComponentChoices): Components {
  const owned: { close(): Promise<void> }[] = [];
  const own = <T extends { close(): Promise<void> }>(component: T): T => {
    owned.push(component);
    return component;
  };

  const transport = options.transport ?? transportNamed(env);
  const registry = options.registry ?? own(registryNamed(env));
  const broker =
    options.broker ??
    brokerNamed(env, registry, (error, context) =>
      logger.error(`broker ${context.operation} failed`, { ...context, error: String(error) }),
    );
  const ownsBroker = options.broker === undefined;
  const selector = options.selector ?? own(createSelector({ registry, logger }));

  return {
    transport,
    registry,
    broker,
    selector,
    async close() {
      if (ownsBroker) await broker.disconnect();
      // Selector before registry: it watches the registry.
      for (const component of [...owned].reverse()) await component.close();
    },
  };
}

function transportNamed(env: EnvConfig): Transport {
  switch (env.transport ?? "http") {
    case "http":
      return createHttpTransport();
    case "memory":
      return createMemoryTransport();
    case "grpc":
      return createLazyTransport("grpc", async () => {
        const grpc = await import("../transport/grpc/index.js").catch((error: unknown) => {
          throw new Error(
            `MICRO_TRANSPORT=grpc needs the optional dependency @grpc/grpc-js: npm install @grpc/grpc-js (${String(error)})`,
          );
        });
        return grpc.createGrpcTransport();
      });
    case "nats": {
      // Without an address of its own, the transport uses the NATS the broker or registry use.
      const servers =
        env.transportAddress ??
        (env.broker === "nats" ? env.brokerAddress : undefined) ??
        (env.registry === "nats" ? env.registryAddress : undefined);
      return createLazyTransport("nats", async () =>
        (await loadNats("MICRO_TRANSPORT")).createNatsTransport(natsOptions(env, servers)),
      );
    }
  }
}

function registryNamed(env: EnvConfig): Registry {
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

function brokerNamed(env: EnvConfig, registry: Registry, onError: BrokerErrorHandler): Broker {
  switch (env.broker ?? "local") {
    case "local":
      return createLocalBroker({
        registry,
        ...(env.brokerAddress === undefined ? {} : { address: env.brokerAddress }),
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

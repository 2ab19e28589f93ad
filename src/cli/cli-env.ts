import {
  type Broker,
  type BrokerErrorHandler,
  ConfigError,
  type EnvConfig,
  type Registry,
  type ServiceRecord,
  type Transport,
  createBrokerFromEnv,
  createRegistryFromEnv,
  createTransportFromEnv,
  readEnvConfig,
} from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";

/**
 * Reads the same `MICRO_*` variables as services, so `micro services` sees exactly what a
 * service started in the same shell registers with. In-process engines (`memory`) cannot
 * be reached from another process and are rejected with that reason.
 */
export function readCliConfig(env: Readonly<Record<string, string | undefined>>): EnvConfig {
  let config: EnvConfig;
  try {
    config = readEnvConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  if (config.registry === "memory") {
    throw new UsageError(
      "MICRO_REGISTRY=memory lives inside one process, so the micro CLI cannot see its services; " +
        "use the registry the services use (local, nats or etcd)",
    );
  }
  if (config.broker === "memory") {
    throw new UsageError(
      "MICRO_BROKER=memory lives inside one process, so the micro CLI cannot publish to it; " +
        "use the broker the services use (local or nats)",
    );
  }
  return config;
}

/** The registry services register with: the runtime's own mapping of `MICRO_REGISTRY*`. */
export function createCliRegistry(config: EnvConfig): Registry {
  return createRegistryFromEnv(config);
}

/** The broker services subscribe on: the runtime's own mapping of `MICRO_BROKER*`. */
export function createCliBroker(
  config: EnvConfig,
  registry: Registry,
  onError: BrokerErrorHandler,
): Broker {
  return createBrokerFromEnv(config, registry, onError);
}

/** Transports a node can be reached on from another process, in the CLI's preference. */
const REACHABLE = ["http", "nats", "grpc"] as const;
type ReachableTransport = (typeof REACHABLE)[number];

/**
 * The transport a node uses, from its registry metadata (`http` when it says none), so
 * the CLI reaches it the way other services do. In-process or unknown ones are an error.
 */
export function nodeTransport(service: string, metadata: Readonly<Record<string, string>>) {
  const name = metadata["transport"] ?? "http";
  if ((REACHABLE as readonly string[]).includes(name)) return name as ReachableTransport;
  throw new UsageError(
    `service ${JSON.stringify(service)} has a node on the ${name} transport, which another ` +
      `process cannot reach; run it with MICRO_TRANSPORT=${REACHABLE.join(", ")}`,
  );
}

/**
 * The transport to call `service` on in JSON: the one its nodes use (the configured
 * `MICRO_TRANSPORT` first when several are in use). gRPC carries protobuf only, so a
 * service reachable only over gRPC is a UsageError saying what to do.
 */
export function jsonTransportFor(
  config: EnvConfig,
  service: string,
  records: readonly ServiceRecord[],
): Transport {
  const used = new Set<string>(
    records.flatMap((r) => r.nodes).map((n) => nodeTransport(service, n.metadata)),
  );
  const json = [config.transport, ...REACHABLE].find(
    (name) => name !== undefined && name !== "grpc" && used.has(name),
  );
  if (json === undefined) {
    throw new UsageError(
      `service ${JSON.stringify(service)} runs only on the ${[...used].join(", ")} transport; ` +
        "micro call sends JSON, which the grpc transport cannot carry without the proto. " +
        "Run the service with MICRO_TRANSPORT=http or nats, or call it with buf curl --protocol grpc.",
    );
  }
  return createCliTransport(config, json as ReachableTransport, "json");
}

/**
 * A client transport of `name` with the addresses of `config` (e.g. the NATS servers),
 * through the runtime's own mapping of `MICRO_TRANSPORT*`.
 */
export function createCliTransport(
  config: EnvConfig,
  name: ReachableTransport,
  codec: "proto" | "json",
): Transport {
  try {
    return createTransportFromEnv({ ...config, transport: name }, { codec });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The JSON client transport of the gateway and dashboard: `MICRO_TRANSPORT` (default
 * http), as the services they call use it. gRPC and memory cannot carry it: a UsageError.
 */
export function createConfiguredJsonTransport(config: EnvConfig): Transport {
  const name = config.transport ?? "http";
  if (name === "memory") {
    throw new UsageError(
      "MICRO_TRANSPORT=memory lives inside one process, so the micro CLI cannot call its services; " +
        "use the transport the services use (http, nats)",
    );
  }
  if (name === "grpc") {
    throw new UsageError(
      "MICRO_TRANSPORT=grpc: the gateway and dashboard call services in JSON, which the grpc " +
        "transport cannot carry (protobuf only); run the services with MICRO_TRANSPORT=http or nats",
    );
  }
  return createCliTransport(config, name, "json");
}

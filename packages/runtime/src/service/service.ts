import type { Broker } from "../broker/broker.js";
import type { Client, ClientWrapper } from "../client/client.js";
import { createClient } from "../client/rpc-client.js";
import { MicroError } from "../errors/micro-error.js";
import { type Logger, createConsoleLogger } from "../logger/logger.js";
import type { Registry } from "../registry/registry.js";
import type { Selector } from "../selector/selector.js";
import type { HandlerWrapper, SubscriberWrapper } from "../server/handler.js";
import { createServer } from "../server/rpc-server.js";
import type { Server } from "../server/server.js";
import type { Transport } from "../transport/transport.js";
import { createComponents } from "./components.js";
import { ConfigError, readEnvConfig } from "./env-config.js";
import { advertisingTransport, resolveServerAddress } from "./server-address.js";

/** Functions run around start and stop, in order; a rejection aborts start (or is logged on stop). */
export interface ServiceHooks {
  readonly beforeStart?: readonly (() => void | Promise<void>)[];
  readonly afterStart?: readonly (() => void | Promise<void>)[];
  readonly beforeStop?: readonly (() => void | Promise<void>)[];
  readonly afterStop?: readonly (() => void | Promise<void>)[];
}

/**
 * Options of `createService`. The `MICRO_*` environment variables override the
 * settings they name (deployment config beats code defaults, as go-micro's flags do);
 * a component passed here as an instance is used as it is.
 */
export interface ServiceOptions {
  /** The name clients call, e.g. `greeter`. Required here or in `MICRO_SERVER_NAME`. */
  readonly name?: string;
  /** Default `latest`; `MICRO_SERVER_VERSION`. */
  readonly version?: string;
  /** Added to the node's registry metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Listen address; `MICRO_SERVER_ADDRESS`. Default `127.0.0.1:0` with the local or memory
   * registry (callers are on this machine), `0.0.0.0:0` with any other (nats, etcd).
   */
  readonly address?: string;
  /**
   * Registered address when it differs from the listener's; `MICRO_SERVER_ADVERTISE`.
   * Default: the listener's; with a nats/etcd registry and a wildcard listen host, this
   * host's first non-internal IPv4 (else `127.0.0.1`) with the listener's port.
   */
  readonly advertise?: string;
  /** Default from `MICRO_TRANSPORT`, else `http`. */
  readonly transport?: Transport;
  /** Default from `MICRO_REGISTRY`, else `local` (across processes on this machine). */
  readonly registry?: Registry;
  /** Default from `MICRO_BROKER`, else `local`. */
  readonly broker?: Broker;
  /** Default: random selection over a registry cache. */
  readonly selector?: Selector;
  /** ms; `MICRO_REGISTER_TTL`. Default 90 s. */
  readonly registerTtl?: number;
  /** ms; `MICRO_REGISTER_INTERVAL`. Default 30 s. */
  readonly registerInterval?: number;
  /** Largest message in bytes; `MICRO_MAX_MESSAGE_BYTES`. Default 4 MiB. */
  readonly maxMessageBytes?: number;
  /** How long stop waits for in-flight work, ms. Default 10 s. */
  readonly drainTimeout?: number;
  /** Unary call budget of the service's client, ms; `MICRO_CLIENT_TIMEOUT`. Default 5 s. */
  readonly clientTimeout?: number;
  /** Retries of the service's client; `MICRO_CLIENT_RETRIES`. Default 2. */
  readonly clientRetries?: number;
  readonly handlerWrappers?: readonly HandlerWrapper[];
  readonly subscriberWrappers?: readonly SubscriberWrapper[];
  readonly clientWrappers?: readonly ClientWrapper[];
  readonly hooks?: ServiceHooks;
  /** Default: a console logger named after the service, level from `MICRO_LOG_LEVEL`. */
  readonly logger?: Logger;
  /** Where `MICRO_*` settings are read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running unit: a server registered under a name, and a client to call others. */
export interface Service {
  readonly name: string;
  readonly server: Server;
  readonly client: Client;
  readonly transport: Transport;
  readonly registry: Registry;
  readonly broker: Broker;
  readonly logger: Logger;
  /** Runs the before/after start hooks around connecting, listening and registering. */
  start(): Promise<void>;
  /** Deregisters, drains, and closes what the service created itself. */
  stop(): Promise<void>;
  /**
   * Starts, waits for SIGINT or SIGTERM, then stops; a second signal exits at once. Made
   * for a main module: when start fails it logs why, releases what started and sets exit
   * code 1 instead of throwing. Use `start()` and `stop()` to handle failures yourself.
   */
  run(): Promise<void>;
}

/**
 * Creates a service on the embedded defaults (http transport, local registry and broker:
 * one machine, no daemon) unless options or `MICRO_*` variables say otherwise. Invalid
 * settings throw a `ConfigError` here, before anything starts.
 */
export function createService(options: ServiceOptions = {}): Service {
  const env = readEnvConfig(options.env ?? process.env);
  const name = env.serverName ?? options.name;
  if (!name) {
    throw new ConfigError(
      "a service needs a name: pass { name } to createService or set MICRO_SERVER_NAME",
    );
  }
  const logger = options.logger ?? createConsoleLogger({ name, level: env.logLevel ?? "info" });
  const components = createComponents({ env, options, logger });
  const { transport, registry, broker, selector } = components;
  const address = resolveServerAddress({
    env,
    options,
    registry: registry.name,
    transport: transport.name,
  });
  const server = createServer({
    name,
    version: env.serverVersion ?? options.version ?? "latest",
    metadata: options.metadata ?? {},
    address: address.listen,
    transport: advertisingTransport(transport, address.advertise),
    registry,
    broker,
    ...optional("registerTtl", env.registerTtl ?? options.registerTtl),
    ...optional("registerInterval", env.registerInterval ?? options.registerInterval),
    ...optional("maxMessageBytes", env.maxMessageBytes ?? options.maxMessageBytes),
    ...optional("drainTimeout", options.drainTimeout),
    wrappers: options.handlerWrappers ?? [],
    subscriberWrappers: options.subscriberWrappers ?? [],
    logger,
  });
  const client = createClient({
    transport,
    selector,
    broker,
    ...optional("timeout", env.clientTimeout ?? options.clientTimeout),
    ...optional("retries", env.clientRetries ?? options.clientRetries),
    wrappers: options.clientWrappers ?? [],
  });
  const hooks = options.hooks ?? {};
  let started = false;

  const service: Service = {
    name,
    server,
    client,
    transport,
    registry,
    broker,
    logger,

    async start() {
      await runHooks(hooks.beforeStart);
      await broker.connect();
      await server.start();
      started = true;
      logger.info("started", {
        service: name,
        transport: transport.name,
        address: server.address,
        registry: registry.name,
        broker: broker.name,
      });
      await runHooks(hooks.afterStart);
    },

    async stop() {
      if (!started) return;
      started = false;
      await runHooks(hooks.beforeStop).catch((error: unknown) =>
        logger.error("beforeStop hook failed", { error: String(error) }),
      );
      await server.stop();
      await client.close();
      await components.close();
      logger.info("stopped", { service: name });
      await runHooks(hooks.afterStop).catch((error: unknown) =>
        logger.error("afterStop hook failed", { error: String(error) }),
      );
    },

    async run() {
      try {
        await service.start();
      } catch (error) {
        // A main() has nothing better to do with this than print it: say it in one line
        // (the error names what was wrong and what to do), release what did start, exit 1.
        logger.error("cannot start", {
          service: name,
          error: error instanceof MicroError ? error.detail : String(error),
        });
        await Promise.allSettled([client.close(), components.close()]);
        process.exitCode = 1;
        return;
      }
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      logger.info("stopping", { signal });
      const force = () => {
        logger.warn("second signal: exiting without draining");
        process.exit(130);
      };
      process.once("SIGINT", force);
      process.once("SIGTERM", force);
      await service.stop();
      process.off("SIGINT", force);
      process.off("SIGTERM", force);
    },
  };
  return service;
}

async function runHooks(hooks: readonly (() => void | Promise<void>)[] | undefined): Promise<void> {
  for (const hook of hooks ?? []) await hook();
}

/** Spreads `{ key: value }` only when the value is set (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

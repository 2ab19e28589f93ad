import {
  type Broker,
  type Client,
  ConfigError,
  type EnvConfig,
  type Registry,
  type Selector,
  createClient,
  createSelector,
  parseAddress,
} from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { createCliRegistry, createConfiguredJsonTransport } from "./cli-env.js";

/** `--address` of a serving verb (`micro api`, `micro web`), checked before anything starts. */
export function checkListenAddress(address: string): void {
  try {
    parseAddress("--address", address);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** What a serving verb calls services with: a JSON client over the configured engines. */
export interface ServingClient<B extends Broker | undefined> {
  readonly registry: Registry;
  /** The broker the client publishes on, when the verb asked for one. */
  readonly broker: B;
  readonly selector: Selector;
  readonly client: Client;
  /** Closes the client, the broker (when there is one), selector and registry. */
  close(): Promise<void>;
}

/**
 * The registry, selector and JSON client of `micro api` and `micro web`, from the same
 * `MICRO_*` settings services use (timeout and retries included). `brokerFor` builds the
 * broker the client publishes on, over the registry (the local broker lists subscribers there).
 */
export function createServingClient<B extends Broker | undefined = undefined>(
  config: EnvConfig,
  brokerFor?: (registry: Registry) => B,
): ServingClient<B> {
  const transport = createConfiguredJsonTransport(config);
  const registry = createCliRegistry(config);
  const selector = createSelector({ registry });
  const broker = brokerFor?.(registry) as B;
  const client = createClient({
    transport,
    selector,
    ...(broker === undefined ? {} : { broker }),
    ...(config.clientTimeout === undefined ? {} : { timeout: config.clientTimeout }),
    ...(config.clientRetries === undefined ? {} : { retries: config.clientRetries }),
  });
  return {
    registry,
    broker,
    selector,
    client,
    async close() {
      await client.close();
      await broker?.disconnect();
      await selector.close();
      await registry.close();
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM, so a serving verb shuts down cleanly. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
}

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

/** What to do about the listen errors a user can fix, by errno code. */
const LISTEN_FAILURES: Readonly<Record<string, string>> = {
  EADDRINUSE: "another process listens there; stop it or pick another --address",
  EACCES: "permission denied (ports below 1024 need privileges); pick another --address",
  EADDRNOTAVAIL: "no network interface has that address; pick another --address",
};

/**
 * A serving verb's listen failure: one a user can fix becomes a UsageError naming the
 * address and what to do (printed without a stack); anything else is returned as it is.
 */
export function listenFailure(verb: string, address: string, error: unknown): unknown {
  const fix = LISTEN_FAILURES[(error as NodeJS.ErrnoException | null)?.code ?? ""];
  return fix ? new UsageError(`micro ${verb}: cannot listen on ${address}: ${fix}`) : error;
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

/** What `micro api --workers` sends a worker process to make it drain and exit. */
export const STOP_MESSAGE = { micro: "stop" } as const;

/**
 * Resolves on the first SIGINT or SIGTERM, so a serving verb shuts down cleanly; in a
 * worker of `micro api --workers`, also on the primary's STOP_MESSAGE.
 */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as typeof STOP_MESSAGE | null)?.micro === STOP_MESSAGE.micro) done();
    };
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      process.off("message", onMessage);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    if (process.send) process.on("message", onMessage);
  });
}

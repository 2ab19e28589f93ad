import type { Broker } from "../broker/broker.js";
import type { Logger } from "../logger/logger.js";
import type { Registry } from "../registry/registry.js";
import { createSelector } from "../selector/registry-selector.js";
import type { Selector } from "../selector/selector.js";
import type { Transport } from "../transport/transport.js";
import type { EnvConfig } from "./env-config.js";
import {
  createBrokerFromEnv,
  createRegistryFromEnv,
  createTransportFromEnv,
} from "./env-engines.js";

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

  const transport = options.transport ?? createTransportFromEnv(env);
  const registry = options.registry ?? own(createRegistryFromEnv(env));
  const broker =
    options.broker ??
    createBrokerFromEnv(env, registry, (error, context) =>
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

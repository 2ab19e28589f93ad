import {
  ConfigError,
  type EnvConfig,
  type Registry,
  createLocalRegistry,
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
        "use the default local registry (or unset MICRO_REGISTRY)",
    );
  }
  if (config.broker === "memory") {
    throw new UsageError(
      "MICRO_BROKER=memory lives inside one process, so the micro CLI cannot publish to it; " +
        "use the default local broker (or unset MICRO_BROKER)",
    );
  }
  return config;
}

/** The registry services register with, from `MICRO_REGISTRY_ADDRESS` (a folder) or its default. */
export function createCliRegistry(config: EnvConfig): Registry {
  return createLocalRegistry(
    config.registryAddress === undefined ? {} : { directory: config.registryAddress },
  );
}

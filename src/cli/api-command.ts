import { ConfigError, createConsoleLogger, parseDuration } from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import type { ParsedArgs } from "./args.js";
import { stringFlag } from "./args.js";
import { readCliConfig } from "./cli-env.js";
import { type CliIo, out } from "./io.js";
import { checkListenAddress, createServingClient, untilSignal } from "./serve.js";

/** Where `micro api` listens unless told otherwise, as go-micro's API. */
export const DEFAULT_API_ADDRESS = ":8080";

/**
 * `micro api [--address host:port] [--cors origin] [--timeout duration]`: serves the API
 * gateway until SIGINT or SIGTERM, routing HTTP/JSON to the services of the registry
 * services use (MICRO_*), by their google.api.http rules and by POST /<service>/<method>.
 */
export async function apiCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const address = stringFlag(args, "address") ?? DEFAULT_API_ADDRESS;
  const timeoutText = stringFlag(args, "timeout");
  const origins = corsOrigins(args.values["cors"]);
  checkListenAddress(address);
  let timeout: number | undefined;
  try {
    timeout = timeoutText === undefined ? undefined : parseDuration("--timeout", timeoutText);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const config = readCliConfig(io.env);
  const serving = createServingClient(config);
  const { registry, client } = serving;
  // Loaded here: the other commands do not need the gateway.
  const { createApiGateway } = await import("@micro-ts/runtime/api");
  const gateway = createApiGateway({
    registry,
    client,
    logger: createConsoleLogger({
      name: "api",
      ...(config.logLevel ? { level: config.logLevel } : {}),
    }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(origins.length === 0 ? {} : { cors: { origins: origins.includes("*") ? "*" : origins } }),
  });
  try {
    const bound = await gateway.listen(address);
    out(
      io,
      `micro api: gateway at http://${bound.address}/ (services at /, OpenAPI at /openapi.json)`,
    );
    await untilSignal();
    return 0;
  } finally {
    await gateway.close();
    await serving.close();
  }
}

function corsOrigins(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : [];
  for (const origin of list) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new UsageError(
        `micro api: --cors ${JSON.stringify(origin)} is not an origin; use e.g. https://app.example.com or *`,
      );
    }
  }
  return list;
}

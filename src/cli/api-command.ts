import cluster from "node:cluster";
import { ConfigError, createConsoleLogger, parseDuration } from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import type { ParsedArgs } from "./args.js";
import { stringFlag } from "./args.js";
import { readCliConfig } from "./cli-env.js";
import { announceWorker, runApiWorkers } from "./api-workers.js";
import { type CliIo, out } from "./io.js";
import { checkListenAddress, createServingClient, listenFailure, untilSignal } from "./serve.js";

/** Where `micro api` listens unless told otherwise, as go-micro's API. */
export const DEFAULT_API_ADDRESS = ":8080";

/** Most `--workers` a gateway takes: far past any core count it could use. */
const MAX_WORKERS = 256;

/**
 * `micro api [--address host:port] [--cors origin] [--timeout duration] [--workers n]`:
 * serves the API gateway until SIGINT or SIGTERM, routing HTTP/JSON to the services of the
 * registry services use (MICRO_*), by their google.api.http rules and by
 * POST /<service>/<method>; with `--workers`, in that many processes on one port.
 */
export async function apiCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const address = stringFlag(args, "address") ?? DEFAULT_API_ADDRESS;
  const timeoutText = stringFlag(args, "timeout");
  const origins = corsOrigins(args.values["cors"]);
  const workers = workerCount(stringFlag(args, "workers"));
  checkListenAddress(address);
  let timeout: number | undefined;
  try {
    timeout = timeoutText === undefined ? undefined : parseDuration("--timeout", timeoutText);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const config = readCliConfig(io.env);
  const banner = (at: string) =>
    `micro api: gateway at http://${at}/ (services at /, OpenAPI at /openapi.json)`;
  if (workers > 1 && cluster.isPrimary) return runApiWorkers(workers, io, banner);
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
    const bound = await gateway.listen(address).catch((error: unknown) => {
      throw listenFailure("api", address, error);
    });
    if (cluster.isWorker) announceWorker(bound.address);
    else out(io, banner(bound.address));
    await untilSignal();
    return 0;
  } finally {
    await gateway.close();
    await serving.close();
    // A worker's IPC channel would keep it alive; disconnecting as a worker (not with
    // process.disconnect, which exits 0 at once) keeps the exit code.
    cluster.worker?.disconnect();
  }
}

/** `--workers`: a whole number of gateway processes, 1 when not given. */
function workerCount(text: string | undefined): number {
  if (text === undefined) return 1;
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > MAX_WORKERS) {
    throw new UsageError(
      `micro api: --workers ${JSON.stringify(text)} must be a whole number from 1 to ${MAX_WORKERS}, e.g. the machine's core count`,
    );
  }
  return count;
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

import { type Logger, createConsoleLogger } from "../logger/logger.js";
import { ConfigError } from "./env-config.js";
import type { Service } from "./service.js";

/**
 * What a service's main module does: create the service, then `run()` it until SIGINT or
 * SIGTERM. A bad setting (`ConfigError`: a `MICRO_*` value, a missing name) fails
 * creation; it is logged as one line and the exit code set to 1, where an uncaught throw
 * at the top of a module would print a stack around a message that already says what
 * was wrong and what to do. Any other error is rethrown: it is a bug, and its stack helps.
 */
export async function runService(
  create: () => Service,
  logger: Logger = createConsoleLogger(),
): Promise<void> {
  let service: Service;
  try {
    service = create();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error("cannot start", { error: error.message });
    process.exitCode = 1;
    return;
  }
  await service.run();
}

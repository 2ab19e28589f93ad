/** The outcome of one check, or of all of them. */
export type HealthStatus = "serving" | "not_serving";

/** A dependency check: resolves when healthy, rejects (or times out) when not. */
export type HealthCheck = (signal: AbortSignal) => Promise<void>;

/** What `check()` reports, per check and overall. */
export interface HealthReport {
  readonly status: HealthStatus;
  readonly checks: Readonly<
    Record<
      string,
      { readonly status: HealthStatus; readonly durationMs: number; readonly error?: string }
    >
  >;
}

/** Options of `createHealth`. */
export interface HealthOptions {
  /** A check slower than this counts as failed, ms. Default 2000. */
  readonly timeout?: number;
}

/**
 * Health of a service as the sum of its dependencies' checks (database, broker, ...),
 * run concurrently, each bounded by a timeout so one hung dependency cannot hang the probe.
 */
export interface Health {
  /** Adds a named check; a name can be registered once. */
  register(name: string, check: HealthCheck): void;
  check(): Promise<HealthReport>;
}

/** Creates an empty health registry; with no checks registered the service is serving. */
export function createHealth(options: HealthOptions = {}): Health {
  const timeout = options.timeout ?? 2000;
  const checks = new Map<string, HealthCheck>();
  return {
    register(name, check) {
      if (checks.has(name)) throw new Error(`health check "${name}" is already registered`);
      checks.set(name, check);
    },
    async check() {
      const results = await Promise.all(
        [...checks].map(async ([name, check]) => [name, await runCheck(check, timeout)] as const),
      );
      const byName = Object.fromEntries(results);
      const status = results.every(([, r]) => r.status === "serving") ? "serving" : "not_serving";
      return { status, checks: byName };
    },
  };
}

async function runCheck(check: HealthCheck, timeout: number) {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`timed out after ${timeout} ms`));
        }, timeout);
      }),
    ]);
    return { status: "serving" as const, durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: "not_serving" as const,
      durationMs: performance.now() - started,
      error: message,
    };
  } finally {
    clearTimeout(timer);
  }
}

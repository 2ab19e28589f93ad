/** Figures of one load run. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Options of `runLoad`. */
export interface LoadOptions {
  /** Requests kept in flight at once. */
  readonly concurrency: number;
  /** How long to measure, ms (after the warm-up). */
  readonly durationMs: number;
  /** Unmeasured run first, so JIT and connection pools are warm. Default 1000 ms. */
  readonly warmupMs?: number;
}

/**
 * Closed-loop load: `concurrency` workers each send the next request as soon as the
 * previous one answers, for a fixed time. Every request's latency is recorded, so p50
 * and p99 are exact, not sampled. Errors are counted, never hidden.
 */
export async function runLoad(
  call: () => Promise<unknown>,
  options: LoadOptions,
): Promise<LoadResult> {
  await phase(call, options.concurrency, options.warmupMs ?? 1000, []);
  const latencies: number[] = [];
  const started = performance.now();
  const errors = await phase(call, options.concurrency, options.durationMs, latencies);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

async function phase(
  call: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  latencies: number[],
): Promise<number> {
  const end = performance.now() + durationMs;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        await call();
        latencies.push(performance.now() - start);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return errors;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

import { ownCpuMs, processCpuMs } from "./process-cpu.js";
import { median } from "./median.js";

/** Figures of one load run. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Figures of one target's turns in `runInterleaved`. */
export interface InterleavedResult extends LoadResult {
  /**
   * CPU µs per request of each process named in `InterleaveOptions.processes`, and of
   * this (the load's) process as `load`, over this target's turns; empty when none named.
   */
  readonly cpuUsPerRequest: Readonly<Record<string, number>>;
  /** Requests per second of each turn, in turn order (slice by slice). */
  readonly turnsPerSecond: readonly number[];
}

/**
 * The quartiles of `value`'s per-turn rate over `baseline`'s in the same slice. The two
 * turns of a slice run back to back, so each ratio sees one machine speed; their spread
 * says how far the whole-run ratio could move from noise alone.
 */
export function turnRatioQuartiles(
  value: InterleavedResult,
  baseline: InterleavedResult,
): { readonly low: number; readonly high: number } {
  const ratios = value.turnsPerSecond
    .map((rate, turn) => rate / (baseline.turnsPerSecond[turn] as number))
    .sort((a, b) => a - b);
  return { low: percentile(ratios, 0.25), high: percentile(ratios, 0.75) };
}

/** CPU µs per request of the named processes together (`load` is the load's own). */
export function cpuPerRequest(result: InterleavedResult, ...names: readonly string[]): number {
  let total = 0;
  for (const name of names) total += result.cpuUsPerRequest[name] ?? 0;
  return total;
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

/** Options of `runInterleaved`. */
export interface InterleaveOptions {
  /** Requests kept in flight at once, for each target in its turn. */
  readonly concurrency: number;
  /** Measured time per target, ms, summed over its slices. */
  readonly durationMs: number;
  /** Length of one turn, ms. Default 1000. */
  readonly sliceMs?: number;
  /** Unmeasured run of each target first. Default 1000 ms. */
  readonly warmupMs?: number;
  /** Processes (name -> pid) whose CPU time each turn is charged with. Default none. */
  readonly processes?: Readonly<Record<string, number>>;
}

/** What one target's turns add up to. */
interface Tally {
  readonly latencies: number[];
  errors: number;
  ms: number;
  /** CPU ms by process name, summed over the turns. */
  readonly cpuMs: Record<string, number>;
  readonly turnsPerSecond: number[];
}

/**
 * Loads several targets in turns of `sliceMs` (A B C, then C B A, ...) until each has had
 * `durationMs`, and sums each one's turns. On a shared machine whose speed drifts over
 * minutes (this one's does by ±20 %), one long run per side compares two different
 * machines; short alternating turns see the same drift on every side.
 */
export async function runInterleaved<K extends string>(
  calls: Record<K, () => Promise<unknown>>,
  options: InterleaveOptions,
): Promise<Record<K, InterleavedResult>> {
  const keys = Object.keys(calls) as K[];
  const sliceMs = options.sliceMs ?? 1000;
  for (const key of keys)
    await phase(calls[key], options.concurrency, options.warmupMs ?? 1000, []);
  const processes = options.processes;
  const cpuNow = (): Record<string, number> => {
    if (!processes) return {};
    const now: Record<string, number> = { load: ownCpuMs() };
    for (const [name, pid] of Object.entries(processes)) now[name] = processCpuMs(pid);
    return now;
  };
  const totals = new Map<K, Tally>(
    keys.map((key) => [key, { latencies: [], errors: 0, ms: 0, cpuMs: {}, turnsPerSecond: [] }]),
  );
  const slices = Math.max(1, Math.round(options.durationMs / sliceMs));
  for (let slice = 0; slice < slices; slice++) {
    for (const key of slice % 2 === 0 ? keys : [...keys].reverse()) {
      const total = totals.get(key) as Tally;
      const started = performance.now();
      const cpuBefore = cpuNow();
      const before = total.latencies.length;
      total.errors += await phase(calls[key], options.concurrency, sliceMs, total.latencies);
      const turnMs = performance.now() - started;
      total.ms += turnMs;
      total.turnsPerSecond.push((total.latencies.length - before) / (turnMs / 1000));
      for (const [name, after] of Object.entries(cpuNow())) {
        total.cpuMs[name] = (total.cpuMs[name] ?? 0) + after - (cpuBefore[name] as number);
      }
    }
  }
  const results = {} as Record<K, InterleavedResult>;
  for (const key of keys) {
    const { latencies, errors, ms, cpuMs, turnsPerSecond } = totals.get(key) as Tally;
    latencies.sort((a, b) => a - b);
    const cpuUsPerRequest: Record<string, number> = {};
    for (const [name, used] of Object.entries(cpuMs)) {
      cpuUsPerRequest[name] = (used * 1000) / latencies.length;
    }
    results[key] = {
      requests: latencies.length,
      errors,
      seconds: ms / 1000,
      perSecond: latencies.length / (ms / 1000),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      cpuUsPerRequest,
      turnsPerSecond,
    };
  }
  return results;
}

/**
 * One target's rounds as one result: each round ran on fresh processes, so the sums see
 * several draws of whatever a process gets by chance (its core, its JIT's choices), which
 * interleaved turns within one round cannot even out. Latency percentiles are the median
 * of the rounds' percentiles; turns are concatenated, round by round.
 */
export function mergeRounds(rounds: readonly InterleavedResult[]): InterleavedResult {
  const requests = sum(rounds.map((round) => round.requests));
  const seconds = sum(rounds.map((round) => round.seconds));
  const cpuUsPerRequest: Record<string, number> = {};
  for (const round of rounds) {
    if (round.requests === 0) continue;
    for (const [name, us] of Object.entries(round.cpuUsPerRequest)) {
      cpuUsPerRequest[name] = (cpuUsPerRequest[name] ?? 0) + (us * round.requests) / requests;
    }
  }
  return {
    requests,
    errors: sum(rounds.map((round) => round.errors)),
    seconds,
    perSecond: requests / seconds,
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    cpuUsPerRequest,
    turnsPerSecond: rounds.flatMap((round) => round.turnsPerSecond),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
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

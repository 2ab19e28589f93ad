import type { MicroError } from "../errors/micro-error.js";

/**
 * Only failures that say nothing about the request itself are retried: the node was
 * unreachable or overloaded (502/503), or timed out while budget remains (408/504).
 * 4xx are the caller's fault and 500s may have had side effects, so never those.
 */
export function isRetryable(error: MicroError): boolean {
  return error.code === 408 || error.code === 502 || error.code === 503 || error.code === 504;
}

/** Returns the pause in ms before retry number `attempt` (1 = first retry). */
export type Backoff = (attempt: number) => number;

/**
 * Exponential backoff with full jitter: about 25 ms, 50 ms, 100 ms ... capped at 1 s.
 * Jitter keeps clients that failed together from retrying in lock-step.
 */
export const exponentialBackoff: Backoff = (attempt) =>
  Math.random() * Math.min(1000, 25 * 2 ** Math.max(0, attempt - 1));

/** Resolves after `ms`, or at once when the signal aborts (the caller then rechecks it). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

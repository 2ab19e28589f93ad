import { MicroError } from "../errors/micro-error.js";

/** Settings of node marking. */
export interface NodeMarksOptions {
  /** Milliseconds a node is skipped after its first connection failure. */
  readonly backoff: number;
  /** Upper bound of the skip; it doubles with each consecutive failure up to this. */
  readonly maxBackoff: number;
}

/** Failing nodes and until when to skip them. */
export interface NodeMarks {
  /** Whether any node is marked (even expired): when not, callers skip `isMarked`. */
  any(): boolean;
  isMarked(service: string, nodeId: string, now: number): boolean;
  /** Records the outcome of a call: `undefined` clears the mark, a connection failure extends it. */
  mark(service: string, nodeId: string, error: unknown): void;
}

/**
 * Whether an error says the node could not take the call (refused, reset, draining):
 * a 503 or anything that is not a micro error. Application errors (other 4xx/5xx) prove
 * the node answered, so they never mark it.
 */
export function isConnectionFailure(error: unknown): boolean {
  return !(error instanceof MicroError) || error.code === 503;
}

interface Mark {
  failures: number;
  until: number;
}

/** Creates an empty set of marks with exponential backoff. */
export function createNodeMarks(options: NodeMarksOptions): NodeMarks {
  const marks = new Map<string, Mark>();
  const key = (service: string, nodeId: string) => `${service}\u0000${nodeId}`;

  /** Forgets marks idle for a whole max backoff past their end (nodes long gone). */
  const prune = (now: number): void => {
    for (const [k, mark] of marks) if (mark.until + options.maxBackoff < now) marks.delete(k);
  };

  return {
    any: () => marks.size > 0,
    isMarked(service, nodeId, now) {
      const mark = marks.get(key(service, nodeId));
      return mark !== undefined && mark.until > now;
    },
    mark(service, nodeId, error) {
      if (error === undefined) {
        if (marks.size > 0) marks.delete(key(service, nodeId));
        return;
      }
      const k = key(service, nodeId);
      if (!isConnectionFailure(error)) return;
      const now = Date.now();
      prune(now);
      const failures = (marks.get(k)?.failures ?? 0) + 1;
      const skip = Math.min(options.backoff * 2 ** (failures - 1), options.maxBackoff);
      marks.set(k, { failures, until: now + skip });
    },
  };
}

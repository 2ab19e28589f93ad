import { AsyncLocalStorage } from "node:async_hooks";
import type { Metadata } from "../metadata/metadata.js";

/** What an outgoing call inherits from the handler it is made in. */
export interface CallScope {
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * Carries the current handler's metadata, deadline and signal through async code, so a
 * nested call made anywhere in a handler inherits them without threading a context
 * argument by hand (Go passes `ctx`; Node has AsyncLocalStorage). The storage holds no
 * state of its own: each value lives only as long as the call that set it.
 */
export const callScope = new AsyncLocalStorage<CallScope>();

/**
 * Runs every step of an iterator inside the scope: async generators resume in the
 * caller's context, so a streaming handler's body would otherwise lose its scope.
 */
export function iterateInScope<T>(scope: CallScope, iterable: AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const iterator = callScope.run(scope, () => iterable[Symbol.asyncIterator]());
      return {
        next: (...args: [] | [undefined]) => callScope.run(scope, () => iterator.next(...args)),
        return: (value?: unknown) =>
          callScope.run(scope, () =>
            iterator.return
              ? iterator.return(value)
              : Promise.resolve({ done: true, value: undefined }),
          ),
        throw: (error?: unknown) =>
          callScope.run(scope, () =>
            iterator.throw ? iterator.throw(error) : Promise.reject(error),
          ),
      } as AsyncIterator<T>;
    },
  };
}

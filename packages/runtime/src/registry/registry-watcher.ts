import type { RegistryEvent, RegistryWatcher } from "./registry.js";

/**
 * Events a slow watcher may have pending before the oldest are dropped. Events carry whole
 * records, so a later event for the same record supersedes a dropped one.
 */
const MAX_PENDING_EVENTS = 1_000;

/** A watcher fed by its registry: `push` delivers an event, `stop` ends the iteration. */
export interface WatcherFeed extends RegistryWatcher {
  push(event: RegistryEvent): void;
}

/**
 * Creates a watcher that yields pushed events matching `service` (all when undefined).
 * `onStop` lets the registry forget the watcher (and stop polling when none is left).
 */
export function createWatcherFeed(service: string | undefined, onStop: () => void): WatcherFeed {
  const pending: RegistryEvent[] = [];
  let waiting: ((result: IteratorResult<RegistryEvent>) => void) | undefined;
  let stopped = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    pending.length = 0;
    onStop();
    const resolve = waiting;
    waiting = undefined;
    resolve?.({ done: true, value: undefined });
  };

  return {
    push(event) {
      if (stopped || (service !== undefined && event.service.name !== service)) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ done: false, value: event });
        return;
      }
      if (pending.length >= MAX_PENDING_EVENTS) pending.shift();
      pending.push(event);
    },
    stop,
    [Symbol.asyncIterator]() {
      return {
        next(): Promise<IteratorResult<RegistryEvent>> {
          const event = pending.shift();
          if (event) return Promise.resolve({ done: false, value: event });
          if (stopped) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => {
            waiting = resolve;
          });
        },
        return(): Promise<IteratorResult<RegistryEvent>> {
          stop();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

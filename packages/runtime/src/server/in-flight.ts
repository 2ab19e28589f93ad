/**
 * Counts work in progress so a stopping server can wait for it: `begin()` returns the
 * function that ends that piece of work (calling it twice is harmless).
 */
export interface InFlight {
  begin(): () => void;
  readonly count: number;
  /** Resolves when nothing is in flight, or after `timeout` ms; true when drained. */
  drained(timeout: number): Promise<boolean>;
}

/** Creates an in-flight counter. */
export function createInFlight(): InFlight {
  let count = 0;
  let waiters: (() => void)[] = [];
  return {
    begin() {
      count++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        count--;
        if (count === 0) {
          const toWake = waiters;
          waiters = [];
          for (const wake of toWake) wake();
        }
      };
    },
    get count() {
      return count;
    },
    drained(timeout: number): Promise<boolean> {
      if (count === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(count === 0), timeout);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}

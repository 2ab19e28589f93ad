/** Something with a deadline: `expire` runs once the deadline has passed, unless unwatched first. */
export interface Expirable {
  expire(): void;
}

/**
 * Enforces many deadlines with one timer. Every call has a deadline (5 s by default) and
 * nearly every call ends long before it, so a `setTimeout` + `clearTimeout` per call is
 * pure overhead (it was about a seventh of a unary call's CPU on the server). Deadlines
 * fall into slots of `resolution` ms; one timer is armed for the earliest slot.
 */
export interface DeadlineWheel {
  /** Calls `entry.expire()` at `deadline` (epoch ms), at most `resolution` ms late. */
  watch(deadline: number, entry: Expirable): void;
  /** Forgets `entry`; a no-op when it already expired or was never watched. */
  unwatch(deadline: number, entry: Expirable): void;
}

/** setTimeout overflows past this many ms: the wheel re-arms rather than wait that long. */
const MAX_TIMER_MS = 2_147_483_647;

/** Options of `createDeadlineWheel`. */
export interface DeadlineWheelOptions {
  /** Slot width in ms: how late a deadline may fire. Default 5. */
  readonly resolution?: number;
}

/**
 * Creates a wheel. Its timer is unref'd: a pending deadline alone never keeps a process
 * alive (the call's socket or handler does, as long as it matters).
 */
export function createDeadlineWheel(options: DeadlineWheelOptions = {}): DeadlineWheel {
  const resolution = options.resolution ?? 5;
  /** Entries by slot: slot `n` holds deadlines in ((n - 1) * resolution, n * resolution]. */
  const slots = new Map<number, Set<Expirable>>();
  let timer: NodeJS.Timeout | undefined;
  /** The slot the timer is armed for; Infinity when no timer runs. */
  let armedSlot = Number.POSITIVE_INFINITY;

  const slotOf = (deadline: number) => Math.ceil(deadline / resolution);

  function arm(slot: number): void {
    if (timer) clearTimeout(timer);
    armedSlot = slot;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, slot * resolution - Date.now()));
    timer = setTimeout(fire, delay);
    timer.unref();
  }

  function fire(): void {
    timer = undefined;
    armedSlot = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let earliest = Number.POSITIVE_INFINITY;
    const due: Set<Expirable>[] = [];
    for (const [slot, entries] of slots) {
      if (slot * resolution <= now) {
        slots.delete(slot);
        due.push(entries);
      } else if (slot < earliest) {
        earliest = slot;
      }
    }
    if (earliest !== Number.POSITIVE_INFINITY) arm(earliest);
    for (const entries of due) for (const entry of entries) entry.expire();
  }

  return {
    watch(deadline, entry) {
      const slot = slotOf(deadline);
      let entries = slots.get(slot);
      if (!entries) {
        entries = new Set();
        slots.set(slot, entries);
      }
      entries.add(entry);
      if (slot < armedSlot) arm(slot);
    },
    unwatch(deadline, entry) {
      const slot = slotOf(deadline);
      const entries = slots.get(slot);
      if (entries?.delete(entry) && entries.size === 0) slots.delete(slot);
    },
  };
}

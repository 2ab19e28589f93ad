import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeadlineWheel } from "../../src/transport/deadline-wheel.js";

describe("deadline wheel", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("expires each entry once its deadline passed, never before, at most one slot late", () => {
    const wheel = createDeadlineWheel({ resolution: 5 });
    const expired: string[] = [];
    const entry = (name: string) => ({ expire: () => expired.push(name) });
    wheel.watch(Date.now() + 100, entry("late"));
    wheel.watch(Date.now() + 20, entry("early"));
    vi.advanceTimersByTime(19);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(6);
    expect(expired).toEqual(["early"]);
    vi.advanceTimersByTime(70);
    expect(expired).toEqual(["early"]);
    vi.advanceTimersByTime(10);
    expect(expired).toEqual(["early", "late"]);
  });

  it("never expires an unwatched entry, and stops its timer when nothing is left", () => {
    const wheel = createDeadlineWheel();
    const expire = vi.fn();
    const deadline = Date.now() + 50;
    wheel.watch(deadline, { expire });
    wheel.unwatch(deadline, { expire: () => undefined }); // another entry: no effect
    const entry = { expire };
    wheel.watch(deadline, entry);
    wheel.unwatch(deadline, entry);
    vi.advanceTimersByTime(100);
    expect(expire).toHaveBeenCalledTimes(1); // only the first, still-watched entry
    expect(vi.getTimerCount()).toBe(0);
  });

  it("re-arms for deadlines past setTimeout's 2^31 ms limit instead of firing early", () => {
    const wheel = createDeadlineWheel();
    const expire = vi.fn();
    wheel.watch(Date.now() + 3_000_000_000, { expire });
    vi.advanceTimersByTime(2_500_000_000);
    expect(expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(600_000_000);
    expect(expire).toHaveBeenCalledTimes(1);
  });
});

// The benchmarks' load helper: alternating turns and the CPU each named process is charged.
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  type InterleavedResult,
  mergeRounds,
  runInterleaved,
  turnRatioQuartiles,
} from "../../bench/lib/load.js";
import { ownCpuMs, processCpuMs } from "../../bench/lib/process-cpu.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** A process that burns CPU while `busy` is written to its stdin, and idles otherwise. */
function burner(): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `let busy = false;
       process.stdin.on("data", (d) => { busy = String(d).trim().endsWith("on"); });
       setInterval(() => { const end = Date.now() + 9; while (busy && Date.now() < end); }, 10);`,
    ],
    { stdio: ["pipe", "ignore", "inherit"] },
  );
  children.push(child);
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("bench load helper", () => {
  it("reads a process's CPU time from /proc, growing while it works", async () => {
    const child = burner();
    await sleep(200);
    child.stdin?.write("on\n");
    const before = processCpuMs(child.pid as number);
    await sleep(500);
    const used = processCpuMs(child.pid as number) - before;
    expect(used).toBeGreaterThan(200);
    expect(used).toBeLessThan(700);
    const own = ownCpuMs();
    expect(own).toBeGreaterThan(0);
  });

  it("charges a named process's CPU to the target whose turns made it work", async () => {
    const child = burner();
    await sleep(200);
    // Each target's call tells the burner whether to work, so only `busy` turns load it.
    const say = (word: string) => async () => {
      child.stdin?.write(`${word}\n`);
      await sleep(5);
    };
    const results = await runInterleaved(
      { busy: say("on"), idle: say("off") },
      {
        concurrency: 1,
        durationMs: 1_000,
        sliceMs: 250,
        warmupMs: 50,
        processes: { burner: child.pid as number },
      },
    );
    const busy = results.busy.cpuUsPerRequest["burner"] as number;
    const idle = results.idle.cpuUsPerRequest["burner"] as number;
    expect(results.busy.requests).toBeGreaterThan(50);
    expect(busy).toBeGreaterThan(idle * 4);
    expect(results.busy.cpuUsPerRequest["load"]).toBeGreaterThan(0);
    // One rate per 250 ms turn, and they add up to the whole run's requests.
    expect(results.idle.turnsPerSecond).toHaveLength(4);
    const turnRequests = results.idle.turnsPerSecond.reduce((sum, rate) => sum + rate * 0.25, 0);
    expect(turnRequests / results.idle.requests).toBeGreaterThan(0.8);
    expect(turnRequests / results.idle.requests).toBeLessThan(1.2);
  });

  it("merges rounds as their sums: rates over the total time, CPU weighted by requests", () => {
    const round = (requests: number, seconds: number, cpuUs: number, p99Ms: number) =>
      ({
        requests,
        errors: 0,
        seconds,
        perSecond: requests / seconds,
        p50Ms: p99Ms / 4,
        p99Ms,
        cpuUsPerRequest: { load: cpuUs },
        turnsPerSecond: [requests / seconds],
      }) as InterleavedResult;
    const merged = mergeRounds([round(1000, 1, 100, 8), round(3000, 2, 200, 2), round(0, 1, 0, 4)]);
    expect(merged.requests).toBe(4000);
    expect(merged.perSecond).toBe(1000);
    expect(merged.cpuUsPerRequest["load"]).toBe(175);
    expect(merged.p99Ms).toBe(4);
    expect(merged.turnsPerSecond).toEqual([1000, 1500, 0]);
  });

  it("pairs each turn with the baseline's turn of the same slice", () => {
    const turns = (rates: number[]) => ({ turnsPerSecond: rates }) as unknown as InterleavedResult;
    // Slice by slice the value runs at 0.5, 0.8, 0.9 and 1.0 of the baseline, whatever
    // the machine's speed in that slice.
    const value = turns([50, 400, 90, 1000]);
    const baseline = turns([100, 500, 100, 1000]);
    expect(turnRatioQuartiles(value, baseline)).toEqual({ low: 0.8, high: 1 });
  });
});

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times. */
let ticksPerSecond: number | undefined;

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux): lets a
 * benchmark charge each server process its share of the work, which throughput alone
 * hides when several processes share the cores.
 */
export function processCpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  // The command name (field 2) may hold spaces: count fields after its closing paren.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / ticksPerSecond;
}

/** This process's CPU time so far, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

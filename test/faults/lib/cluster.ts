import { type Running, start } from "../../e2e/lib/process.js";
import { root } from "../../e2e/lib/greeter.js";

export { freePort } from "../../../packages/runtime/test/nats/free-port.js";
export { startNatsServer } from "../../../packages/runtime/test/nats/nats-server.js";
export { startEtcdServer } from "../../../packages/runtime/test/etcd/etcd-server.js";

/** A greeter process with its registered address and pid. */
export interface Greeter extends Running {
  readonly address: string;
  readonly pid: number;
}

/** Starts `examples/greeter` with `env` (MICRO_* pointing at the test's own engines). */
export async function startGreeter(env: Readonly<Record<string, string>>): Promise<Greeter> {
  const running = start(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "examples/greeter/src/main.ts"],
    { cwd: root, env },
  );
  const [, address] = await running.waitFor(/ started .*address=(\S+)/, 30_000);
  return { ...running, address: address as string, pid: running.child.pid as number };
}

/** Starts a fixture script of this folder as its own process. */
export function startFixture(name: string, env: Readonly<Record<string, string>>): Running {
  return start(
    process.execPath,
    ["--conditions=source", "--import", "tsx", `test/faults/fixtures/${name}`],
    { cwd: root, env },
  );
}

/** Counts of a load run. */
export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  /** Calls served per process, from the greeter's `served-by` response metadata. */
  servedBy: Record<string, number>;
}

/**
 * Calls `call` from `concurrency` loops until `stop()` resolves, counting outcomes. Bounded:
 * it ends when the test says so, and each loop pauses `pause` ms between calls.
 */
export function runLoad(
  call: (onMetadata: (metadata: Record<string, string>) => void) => Promise<unknown>,
  concurrency: number,
  pause = 2,
): { result: LoadResult; stop(): Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failed: 0, errors: [], servedBy: {} };
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        await call((metadata) => {
          const by = metadata["served-by"] ?? "?";
          result.servedBy[by] = (result.servedBy[by] ?? 0) + 1;
        });
        result.ok++;
      } catch (error) {
        result.failed++;
        if (result.errors.length < 5) result.errors.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  });
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Polls `check` every 20 ms until it holds; returns the time it took, or throws after `timeout`. */
export async function waitUntil(check: () => Promise<boolean>, timeout: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeout) throw new Error(`condition not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** Prints a test's figures on one line, so a run shows them beside pass/fail. */
export function report(test: string, figures: Record<string, unknown>): void {
  console.log(`[faults] ${test}: ${JSON.stringify(figures)}`);
}

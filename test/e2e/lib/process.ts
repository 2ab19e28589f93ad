import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/** A child process whose output is collected, with helpers to wait for lines. */
export interface Running {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, waiting up to `timeout` ms. */
  waitFor(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  readonly exited: Promise<number | string>;
}

/** Options of `start`. */
export interface StartOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Spawns a command for an end-to-end test. Output is kept so a failing test can print
 * it; `waitFor` fails with that output when the pattern never shows.
 */
export function start(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);

  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeout = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            finish();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `timed out waiting for ${pattern} from ${command} ${args.join(" ")}:\n${output}`,
            ),
          );
        }, timeout);
        const onExit = () => {
          setImmediate(() => {
            if (!listeners.has(check)) return;
            finish();
            reject(new Error(`${command} ${args.join(" ")} exited before ${pattern}:\n${output}`));
          });
        };
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off("exit", onExit);
        };
        listeners.add(check);
        child.once("exit", onExit);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

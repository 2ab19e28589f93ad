import { type ChildProcess, spawn } from "node:child_process";

/** A benchmark server in a process of its own, and the address it printed. */
export interface ListeningProcess {
  readonly address: string;
  readonly child: ChildProcess;
}

/** Options of `startListening`. */
export interface ListeningOptions {
  /** What the process prints once it listens; its first group is the address. */
  readonly pattern?: RegExp;
  /** Variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts `script` (TypeScript, through tsx) and waits for it to print
 * `LISTENING host:port` (or `options.pattern`): every benchmark server runs in its own
 * process so the load never shares its event loop. Rejects if the process exits first.
 */
export function startListening(
  script: string,
  args: readonly string[],
  options: ListeningOptions = {},
): Promise<ListeningProcess> {
  const pattern = options.pattern ?? /LISTENING (\S+)/;
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...options.env },
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) resolve({ address: match[1] as string, child });
    });
    child.once("exit", (code) =>
      reject(new Error(`${script} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

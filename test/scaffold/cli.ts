import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root. */
export const root = fileURLToPath(new URL("../..", import.meta.url));
/** The CLI's source entry, run through tsx so tests never see a stale dist/. */
export const entry = join(root, "bin", "create-micro.ts");
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** What a finished run printed, and how it ended. */
export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The node arguments that run the CLI. */
export function cliArgs(args: readonly string[]): string[] {
  return ["--import", tsx, entry, ...args];
}

/** The environment of a non-interactive run: no CI marker either way, no npm user agent. */
export function cliEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env["npm_config_user_agent"];
  return env;
}

/** Starts the CLI with stdin a pipe (not a terminal). */
export function startCli(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, cliArgs(args), { cwd, env: cliEnv(env) });
}

/** Runs the CLI to the end. */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Promise<Result> {
  return finished(startCli(args, cwd, env));
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<Result> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** A fresh temporary folder. */
export function scratch(prefix = "create-micro-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Everything in `dir`, dotfiles included; [] when it does not exist. */
export function entries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

// Shared by the plugin's tests, the golden snapshots, the corpus test and the benchmark:
// real compilers (buf, protoc), the real ts-proto, and the compiled plugin.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (where node_modules lives). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
/** The plugin package. */
export const pluginRoot = join(repoRoot, "plugins/protoc-gen-micro");
/** node_modules/.bin: buf, protoc-gen-ts_proto, protoc-gen-micro, tsc. */
export const binDir = join(repoRoot, "node_modules/.bin");
/** The protos the plugin ships (google/api, micro/options). */
export const pluginProtoDir = join(pluginRoot, "proto");

/** A fresh temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** Writes `files` (relative path -> content) under `dir`. */
export function writeTree(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** Runs a command with node_modules/.bin first on PATH; never throws. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: Uint8Array | string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    input: options.input,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, PATH: `${binDir}:${process.env["PATH"] ?? ""}` },
  });
}

/** Like `run`, but throws with the command's stderr when it fails. */
export function runOk(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: Uint8Array | string } = {},
): SpawnSyncReturns<string> {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${String(result.status)}: ${result.stderr}${result.error?.message ?? ""}`,
    );
  }
  return result;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the plugin's dist when a source is newer, so the real bin runs the current code.
 * Test files run in parallel: the build is serialized with flock.
 */
export function ensurePluginBuilt(): void {
  const entry = join(pluginRoot, "dist/protoc-gen-micro-plugin.js");
  let built = 0;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    built = 0;
  }
  if (built > newestMtime(join(pluginRoot, "src"))) return;
  runOk("flock", [
    join(tmpdir(), "protoc-gen-micro-build.lock"),
    join(binDir, "tsc"),
    "-p",
    join(pluginRoot, "tsconfig.build.json"),
  ]);
}

/**
 * Makes `dir` a buf workspace like a user's project: `proto/` holds the user's files and
 * the shipped protos are reached as `node_modules/protoc-gen-micro/proto` (a symlink to the
 * repository's node_modules, where the workspace package is linked).
 */
export function makeBufWorkspace(dir: string): void {
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "buf.yaml"),
    "version: v2\nmodules:\n  - path: proto\n  - path: node_modules/protoc-gen-micro/proto\n",
  );
}

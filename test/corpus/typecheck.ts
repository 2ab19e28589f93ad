// Type-checks generated code with tsc in a child process of its own: a few hundred
// thousand lines of ts-proto output need more heap than a vitest worker has, and a child
// gives that memory back when it exits.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../plugins/protoc-gen-micro/test/support/tools.js";

/** What one tsc run found and cost. */
export interface TypecheckResult {
  /** Diagnostics in the checked files (and tsc's own config errors), one per line. */
  readonly errors: readonly string[];
  /** Files tsc loaded, generated ones and their imports (runtime, WKTs, libs). */
  readonly files: number;
  readonly linesOfTypeScript: number;
  /** tsc's heap at the end (`Memory used` of --extendedDiagnostics), MB. */
  readonly memoryMb: number;
  readonly seconds: number;
}

/**
 * Runs `tsc --noEmit` over `files` (paths under `dir`) with the repository's strict
 * settings (tsconfig.base.json), the runtime resolved from source, incremental off.
 * Only diagnostics in files under `dir` count: the runtime's own sources are judged by the
 * repository's tsc run. A tsc that crashes (out of heap) throws with its output.
 */
export function typecheck(dir: string, files: readonly string[], heapMb: number): TypecheckResult {
  const base = JSON.parse(readFileSync(join(repoRoot, "tsconfig.base.json"), "utf8")) as {
    compilerOptions: Record<string, unknown>;
  };
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        ...base.compilerOptions,
        noEmit: true,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        customConditions: ["source"],
        typeRoots: [join(repoRoot, "node_modules/@types")],
      },
      files,
    }),
  );
  const tsc = join(repoRoot, "node_modules/typescript/lib/tsc.js");
  const result = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, tsc, "-p", "tsconfig.json", "--pretty", "false"].concat(
      "--extendedDiagnostics",
    ),
    { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const output = `${result.stdout}${result.stderr}`;
  const figure = (label: string) =>
    Number(new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(output)?.[1]);
  const memoryKb = figure("Memory used");
  if (result.status === null || Number.isNaN(memoryKb)) {
    throw new Error(
      `tsc did not finish (${result.signal ?? result.error?.message ?? `exit ${String(result.status)}`}):\n${output.slice(-4000)}`,
    );
  }
  // `gen/a.ts(1,2): error TS2322: ...` (paths relative to dir) and config errors
  // (`error TS5023: ...`); a file outside dir shows as `../...` and is not ours to judge.
  const errors = output
    .split("\n")
    .filter(
      (line) =>
        /^(?!\.\.\/|\/)[^\s(]+\.ts\(\d+,\d+\): error TS\d+/.test(line) || /^error TS\d+/.test(line),
    );
  return {
    errors,
    files: figure("Files"),
    linesOfTypeScript: figure("Lines of TypeScript"),
    memoryMb: Math.round(memoryKb / 1024),
    seconds: figure("Total time"),
  };
}

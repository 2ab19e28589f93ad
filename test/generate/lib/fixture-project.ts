import { execFile } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listFiles } from "../../../src/generate/tree-diff.js";

/** The repository root. */
export const root = fileURLToPath(new URL("../../..", import.meta.url));
const fixtures = join(root, "test", "generate", "fixtures");

/** A copy of a fixture project in a temp folder, with node_modules linked to the root's. */
export interface FixtureProject {
  readonly dir: string;
  read(path: string): string;
  write(path: string, text: string): void;
  /** Every file outside node_modules with its content, to compare before and after. */
  snapshot(): Map<string, string>;
  remove(): void;
}

/** Copies `test/generate/fixtures/<name>`; `*.ts.txt` files become `*.ts` (kept out of the repo's tsc). */
export function copyFixture(name: string): FixtureProject {
  const dir = mkdtempSync(join(tmpdir(), `micro-generate-${name}-`));
  cpSync(join(fixtures, name), dir, { recursive: true });
  for (const file of listFiles(dir)) {
    if (file.endsWith(".ts.txt")) renameSync(join(dir, file), join(dir, file.slice(0, -4)));
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return {
    dir,
    read: (path) => readFileSync(join(dir, path), "utf8"),
    write: (path, text) => writeFileSync(join(dir, path), text),
    snapshot() {
      const files = new Map<string, string>();
      for (const file of listFiles(dir)) {
        if (!file.startsWith("node_modules"))
          files.set(file, readFileSync(join(dir, file), "utf8"));
      }
      return files;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Result of a finished command. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, with optional stdin, never rejecting on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      [...args],
      { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** Runs the `micro` CLI from its TypeScript sources, as a user's shell would. */
export function micro(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<Ran> {
  return run(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(root, "bin", "micro.ts"), ...args],
    options,
  );
}

/** Type-checks the project with its own tsconfig (tsc --noEmit). */
export function typecheck(dir: string): Promise<Ran> {
  return run(join(root, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.json")]);
}

/**
 * Lines of `before` that are missing from `after`, in order: every user line must still
 * be there after generation (insertions only).
 */
export function lostLines(before: string, after: string): string[] {
  const lines = after.split("\n");
  const lost: string[] = [];
  let at = 0;
  for (const line of before.split("\n")) {
    const found = lines.indexOf(line, at);
    if (found === -1) lost.push(line);
    else at = found + 1;
  }
  return lost;
}

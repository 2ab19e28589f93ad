import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/** One file that differs between the generated output on disk and a fresh generation. */
export interface TreeChange {
  /** Path relative to the project, with `/` separators. */
  readonly path: string;
  readonly kind: "added" | "changed" | "removed";
  /** The fresh content; absent for removed files. */
  readonly content?: Buffer;
}

/** Every file under `dir`, as paths relative to it; empty when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Compares `current` (what the project has) with `fresh` (a new generation): the files to
 * add, rewrite or delete so `current` equals `fresh`. Identical files are left alone, so
 * their modification times (and watchers) are untouched.
 */
export function diffTrees(current: string, fresh: string, prefix: string): TreeChange[] {
  const changes: TreeChange[] = [];
  const freshFiles = listFiles(fresh);
  const currentFiles = new Set(listFiles(current));
  for (const file of freshFiles) {
    const content = readFileSync(join(fresh, file));
    const path = toPosix(join(prefix, file));
    if (!currentFiles.has(file)) changes.push({ path, kind: "added", content });
    else if (!readFileSync(join(current, file)).equals(content)) {
      changes.push({ path, kind: "changed", content });
    }
    currentFiles.delete(file);
  }
  for (const file of currentFiles)
    changes.push({ path: toPosix(join(prefix, file)), kind: "removed" });
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/** Applies changes under `root`, removing folders a deletion left empty. */
export function applyTreeChanges(root: string, changes: readonly TreeChange[]): void {
  for (const change of changes) {
    const file = join(root, change.path);
    if (change.content === undefined) {
      rmSync(file, { force: true });
      removeEmptyParents(dirname(file), root);
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, change.content);
    }
  }
}

function removeEmptyParents(dir: string, root: string): void {
  for (let current = dir; current.startsWith(root + sep); current = dirname(current)) {
    if (readdirSync(current).length > 0) return;
    rmdirSync(current);
  }
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { PlannedFile } from "./plan.js";

/** Options of `writeProject`. */
export interface WriteOptions {
  /** Write into a non-empty folder, replacing the files that conflict (others are kept). */
  readonly overwrite: boolean;
  /** Aborting (Ctrl-C) removes everything written so far. */
  readonly signal?: AbortSignal;
}

/** A target the project cannot be written to; the message says why and what to do. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

/**
 * Why `files` cannot go into `target`, or undefined: a non-empty folder is refused unless
 * `overwrite`, naming the files that would be replaced; a file in the way is always refused.
 */
export async function checkTarget(
  target: string,
  files: readonly PlannedFile[],
  overwrite: boolean,
): Promise<string | undefined> {
  if (!existsSync(target)) return undefined;
  if (!(await stat(target)).isDirectory()) {
    return `${target} exists and is not a folder; choose another directory`;
  }
  const entries = await readdir(target);
  if (entries.length === 0 || overwrite) return undefined;
  const conflicts = files.map((file) => file.path).filter((path) => existsSync(join(target, path)));
  const shown = (list: readonly string[]) =>
    list.slice(0, 10).join(", ") + (list.length > 10 ? ` and ${list.length - 10} more` : "");
  return conflicts.length > 0
    ? `${target} is not empty, and these files would be replaced: ${shown(conflicts)}. Pass --overwrite to replace them (other files are kept), or choose another directory`
    : `${target} is not empty (${shown(entries)}). Pass --overwrite to write into it anyway, or choose another directory`;
}

/**
 * Writes the project all at once: everything goes into a temporary sibling folder first,
 * which is then renamed into place, so a failure or Ctrl-C half way leaves no half-written
 * project behind.
 */
export async function writeProject(
  target: string,
  files: readonly PlannedFile[],
  options: WriteOptions,
): Promise<void> {
  const parent = dirname(target);
  let staging: string;
  try {
    await mkdir(parent, { recursive: true });
    staging = await mkdtemp(join(parent, `.${basename(target)}.create-micro-`));
  } catch (error) {
    throw new TargetError(
      `cannot write to ${parent}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; choose a directory you can write to`,
    );
  }
  const aborted = () => {
    if (options.signal?.aborted) throw new TargetError("interrupted; nothing was written");
  };
  try {
    for (const file of files) {
      aborted();
      await mkdir(dirname(join(staging, file.path)), { recursive: true });
      await writeFile(join(staging, file.path), file.content);
    }
    aborted();
    if (!existsSync(target)) {
      await rename(staging, target);
      return;
    }
    if ((await readdir(target)).length === 0) {
      await rm(target, { recursive: true });
      await rename(staging, target);
      return;
    }
    await mergeInto(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * --overwrite into a non-empty folder: file by file, each replaced file kept aside until
 * all are in place, and put back if any move fails.
 */
async function mergeInto(staging: string, target: string): Promise<void> {
  const backup = await mkdtemp(join(dirname(target), `.${basename(target)}.replaced-`));
  const moved: { path: string; hadOld: boolean }[] = [];
  try {
    for (const path of await listFiles(staging)) {
      const destination = join(target, path);
      const hadOld = existsSync(destination);
      if (hadOld) {
        await mkdir(dirname(join(backup, path)), { recursive: true });
        await rename(destination, join(backup, path));
      }
      await mkdir(dirname(destination), { recursive: true });
      moved.push({ path, hadOld });
      await rename(join(staging, path), destination);
    }
  } catch (error) {
    for (const { path, hadOld } of moved.reverse()) {
      await rm(join(target, path), { force: true });
      if (hadOld) await rename(join(backup, path), join(target, path));
    }
    throw error;
  } finally {
    await rm(backup, { recursive: true, force: true });
  }
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
}

import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createFormatWorker } from "./format-worker.js";

/** Reads a template folder into a map of relative path -> text, for `plan`. */
export async function loadTemplates(directory: string): Promise<Map<string, string>> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const templates = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    templates.set(path.slice(directory.length + 1), await readFile(path, "utf8"));
  }
  return templates;
}

/** Extensions prettier formats here: the files whose text depends on names and protos. */
const FORMATTED = /\.(ts|md|json)$/;

/**
 * prettier's `format` (on a worker thread, see format-worker.ts) when prettier is installed
 * (it is an optional peer dependency: 8 MB the scaffolder's own install does without), else
 * undefined and the hand-formatted templates are written as rendered.
 */
export async function loadFormatter(): Promise<
  ((path: string, text: string) => Promise<string>) | undefined
> {
  let prettier: string;
  try {
    prettier = createRequire(import.meta.url).resolve("prettier");
  } catch {
    return undefined;
  }
  const format = createFormatWorker(pathToFileURL(prettier).href);
  return (path, text) => (FORMATTED.test(path) ? format(path, text) : Promise.resolve(text));
}

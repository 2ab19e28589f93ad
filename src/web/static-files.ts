import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The page's files, by the name the page requests them under. */
const FILES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
};

/** One file to send. */
export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * The dashboard's HTML, JS and CSS, plain files with no build step. They sit in
 * src/web/public beside this module when it runs from source, and the built module in
 * dist/src/web reads the same folder (the package ships it: `files` in package.json).
 */
export function publicDirectory(): string {
  const beside = fileURLToPath(new URL("./public/", import.meta.url));
  if (existsSync(`${beside}index.html`)) return beside;
  return fileURLToPath(new URL("../../../src/web/public/", import.meta.url));
}

/** Reads `name` from the public folder, or undefined when it is not one of the page's files. */
export async function staticFile(directory: string, name: string): Promise<StaticFile | undefined> {
  const type = FILES[name];
  if (type === undefined) return undefined;
  return { type, body: await readFile(`${directory}${name}`) };
}

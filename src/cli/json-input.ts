import { UsageError } from "../generate/errors.js";
import type { CliInput } from "./io.js";
import { locateJsonError } from "./json-locate.js";

/**
 * Parses JSON typed by a person; a syntax error says where (line, column and the line
 * with a caret under the spot), not just a character offset.
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = locateJsonError(text) ?? text.length;
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    const lineText = text.split("\n")[line - 1] ?? "";
    const reason = message
      .replace(/, (\.\.\.)?".*" is not valid JSON$/s, "")
      .replace(/ in JSON at position \d+.*$/s, "")
      .replace(/^JSON\.parse: /, "");
    throw new UsageError(
      `bad JSON in ${source} at line ${line}, column ${column}: ${reason}\n  ${lineText}\n  ${" ".repeat(Math.max(0, column - 1))}^`,
    );
  }
}

/** Requires a JSON object (a message); names what was given instead. */
export function requireObject(value: unknown, source: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw new UsageError(`${source} must be a JSON object (a message), got ${kind}`);
  }
  return value as Record<string, unknown>;
}

/** Everything on stdin as text. */
export async function readAll(input: CliInput): Promise<string> {
  let text = "";
  for await (const chunk of input)
    text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}

/**
 * Messages from stdin as they arrive, one JSON object per line, so a bidi stream can be
 * driven interactively or from a pipe. Blank lines are skipped.
 */
export async function* jsonLines(input: CliInput): AsyncGenerator<Record<string, unknown>> {
  let buffered = "";
  let lineNumber = 0;
  const parseLine = (line: string) => {
    lineNumber++;
    return line.trim() === ""
      ? undefined
      : requireObject(parseJson(line, `stdin line ${lineNumber}`), `stdin line ${lineNumber}`);
  };
  for await (const chunk of input) {
    buffered += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let newline = buffered.indexOf("\n");
    while (newline !== -1) {
      const message = parseLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (message) yield message;
      newline = buffered.indexOf("\n");
    }
  }
  const last = parseLine(buffered);
  if (last) yield last;
}

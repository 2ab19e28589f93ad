import { styleText } from "node:util";

/** A stream the CLI writes to; `isTTY` decides whether output is colored. */
export type CliOutput = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** A stream the CLI reads request bodies from. */
export type CliInput = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/**
 * Everything a command touches outside itself, passed in so tests can run commands
 * in-process and the bin stays a thin shell over `runMicro`.
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly stdin: CliInput;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** The styles the CLI uses. */
export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

/**
 * Styles text for a terminal and leaves it plain when piped or when `NO_COLOR` is set
 * (https://no-color.org), so scripts never see escape codes.
 */
export function paint(io: CliIo, stream: CliOutput, style: Style, text: string): string {
  const color = stream.isTTY === true && (io.env["NO_COLOR"] ?? "") === "";
  return color ? styleText(style, text) : text;
}

/** Writes one line to stdout. */
export function out(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

/** Writes one line to stderr. */
export function err(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../generate/errors.js";

/** Flags of a command, in node:util parseArgs' shape. */
export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

/** Parsed command line of one verb. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses strictly: an unknown flag, a flag missing its value, or too many arguments is a
 * UsageError naming it and pointing at `--help`, never silently ignored.
 */
export function parseVerbArgs(
  verb: string,
  argv: readonly string[],
  flags: FlagSpec,
  maxPositionals: number,
): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args: [...argv], options: flags, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    const detail = unknown ? `unknown flag ${unknown[1]}` : message.split(".")[0];
    throw new UsageError(`micro ${verb}: ${detail} (see micro ${verb} --help)`);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(" ");
    throw new UsageError(
      `micro ${verb}: unexpected argument ${JSON.stringify(extra)} (see micro ${verb} --help)`,
    );
  }
  return parsed;
}

/** A string flag's value, when given. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/** `-m key=value` flags as a record; a value without `=` is an error naming it. */
export function metadataFlags(verb: string, args: ParsedArgs): Record<string, string> {
  const raw = args.values["metadata"];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const metadata: Record<string, string> = {};
  for (const item of list) {
    const text = String(item);
    const eq = text.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`micro ${verb}: --metadata ${JSON.stringify(text)} must be key=value`);
    }
    metadata[text.slice(0, eq).toLowerCase()] = text.slice(eq + 1);
  }
  return metadata;
}

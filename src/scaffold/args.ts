import { parseArgs } from "node:util";
import { type CreateAnswers, QUESTIONS } from "./options.js";

/** The command line, parsed: answers given by flags, and the switches. */
export interface CreateArgs {
  /** The positional `[dir]`, if given. */
  readonly directory: string | undefined;
  /** Answers given as flags; the rest are asked or defaulted. */
  readonly given: Partial<Record<keyof CreateAnswers, string>>;
  readonly yes: boolean;
  readonly install: boolean;
  readonly git: boolean;
  readonly dryRun: boolean;
  readonly overwrite: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

/** The switches besides the questions, with their help lines. */
const SWITCHES = {
  yes: { short: "y", help: "use defaults for everything not given, never prompt" },
  "no-install": { help: "do not install dependencies" },
  "no-git": { help: "do not initialize a git repository" },
  "dry-run": { help: "list the files that would be written, write nothing" },
  overwrite: { help: "write into a non-empty directory, replacing the files it conflicts on" },
  help: { short: "h", help: "show this help" },
  version: { short: "v", help: "show the version" },
} as const;

/** A command line the scaffolder cannot use; the message says what was wrong. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses argv strictly: an unknown flag or a missing value is a `UsageError` naming it. */
export function parseCreateArgs(argv: readonly string[]): CreateArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const question of QUESTIONS) options[question.key] = { type: "string" };
  for (const [flag, { ...rest }] of Object.entries(SWITCHES)) {
    options[flag] = { type: "boolean", ...("short" in rest ? { short: rest.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; see --help`);
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `expected at most one directory, got ${parsed.positionals.map((p) => `"${p}"`).join(" ")}`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const given: Partial<Record<keyof CreateAnswers, string>> = {};
  for (const question of QUESTIONS) {
    const value = values[question.key];
    if (typeof value === "string") given[question.key] = value;
  }
  return {
    directory: parsed.positionals[0],
    given,
    yes: values["yes"] === true,
    install: values["no-install"] !== true,
    git: values["no-git"] !== true,
    dryRun: values["dry-run"] === true,
    overwrite: values["overwrite"] === true,
    help: values["help"] === true,
    version: values["version"] === true,
  };
}

/** The `--help` text, from the same table as the prompts. */
export function helpText(command: string): string {
  const rows: [string, string][] = [];
  for (const question of QUESTIONS) {
    const choices = question.choices ? ` (${question.choices.join("|")})` : "";
    const fallback = question.default ? `, default ${question.default}` : "";
    rows.push([`--${question.key} ${question.valueName}`, `${question.help}${choices}${fallback}`]);
  }
  for (const [flag, spec] of Object.entries(SWITCHES)) {
    rows.push([`${"short" in spec ? `-${spec.short}, ` : ""}--${flag}`, spec.help]);
  }
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: ${command} [dir] [options]`,
    "",
    "Creates a micro service project from a .proto contract: handlers, subscribers, tests,",
    "Dockerfile and generated code. Asks for what the flags do not say when run in a terminal;",
    "otherwise uses the flags and defaults.",
    "",
    "Options:",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    "",
  ].join("\n");
}

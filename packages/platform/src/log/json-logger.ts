/** Severity, lowest first; the same names as the runtime's logger. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A structured logger: one JSON object per line, ready for a log pipeline. It has the
 * shape of `@micro-ts/runtime`'s `Logger`, so it can be passed to `createService`.
 */
export interface JsonLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A logger whose lines all carry `fields` too (e.g. a request id). */
  with(fields: Readonly<Record<string, unknown>>): JsonLogger;
}

/** Options of `createJsonLogger`. */
export interface JsonLoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Fields on every line, e.g. `{ service: "greeter" }`. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Where lines go. Default: standard output, where log collectors read. */
  readonly write?: (line: string) => void;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Creates a JSON-lines logger: `{"time":"...","level":"info","msg":"...",...fields}`. */
export function createJsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const now = options.now ?? Date.now;
  const make = (base: Readonly<Record<string, unknown>>): JsonLogger => {
    const log = (level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>) => {
      if (LEVELS[level] < threshold) return;
      const line = { time: new Date(now()).toISOString(), level, msg, ...base, ...fields };
      write(JSON.stringify(line, errorsAsText));
    };
    return {
      debug: (msg, fields) => log("debug", msg, fields),
      info: (msg, fields) => log("info", msg, fields),
      warn: (msg, fields) => log("warn", msg, fields),
      error: (msg, fields) => log("error", msg, fields),
      with: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/** `Error`s serialise as `{}` by default; keep their message and stack. */
function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error
    ? { name: value.name, message: value.message, stack: value.stack }
    : value;
}

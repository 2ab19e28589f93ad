/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The runtime logs through this interface only, so services can plug in the platform
 * logger (or pino, or a test spy) without the runtime depending on one.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of the console logger. */
export interface ConsoleLoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Prefix naming the component, e.g. the service name. */
  readonly name?: string;
  /** Where lines go. Default: standard error, keeping standard output for program output. */
  readonly write?: (line: string) => void;
}

/** True for the four level names; used to validate `MICRO_LOG_LEVEL`. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LEVELS, value);
}

/** A human-readable logger: `2026-01-01T00:00:00.000Z INFO [greeter] started address=...`. */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const prefix = options.name ? ` [${options.name}]` : "";
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const log = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase()}${prefix} ${message}`;
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        line += ` ${key}=${typeof value === "string" ? value : JSON.stringify(value)}`;
      }
    }
    write(line);
  };
  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
  };
}

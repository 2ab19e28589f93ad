import { type LogLevel, isLogLevel } from "../logger/logger.js";

/** Transports a service can be told to use by `MICRO_TRANSPORT`. */
export const TRANSPORT_NAMES = ["http", "grpc", "memory", "nats"] as const;
/** Registries a service can be told to use by `MICRO_REGISTRY`. */
export const REGISTRY_NAMES = ["local", "memory", "nats", "etcd"] as const;
/** Brokers a service can be told to use by `MICRO_BROKER`. */
export const BROKER_NAMES = ["local", "memory", "nats"] as const;

export type TransportName = (typeof TRANSPORT_NAMES)[number];
export type RegistryName = (typeof REGISTRY_NAMES)[number];
export type BrokerName = (typeof BROKER_NAMES)[number];

/** The settings the `MICRO_*` environment variables carry, validated. */
export interface EnvConfig {
  readonly serverName?: string;
  readonly serverVersion?: string;
  readonly serverAddress?: string;
  readonly serverAdvertise?: string;
  readonly transport?: TransportName;
  /** NATS servers of the nats transport (default: the broker's, else the registry's NATS). */
  readonly transportAddress?: string;
  readonly registry?: RegistryName;
  readonly registryAddress?: string;
  readonly broker?: BrokerName;
  readonly brokerAddress?: string;
  /** Milliseconds an engine (NATS, etcd) may take to answer at start before start fails. */
  readonly connectTimeout?: number;
  /** Milliseconds. */
  readonly registerTtl?: number;
  /** Milliseconds. */
  readonly registerInterval?: number;
  /** Milliseconds. */
  readonly clientTimeout?: number;
  readonly clientRetries?: number;
  /** Bytes. */
  readonly maxMessageBytes?: number;
  readonly logLevel?: LogLevel;
}

/** A bad `MICRO_*` value: the message names the variable, the value and what is accepted. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the `MICRO_*` variables (go-micro's flags as env vars). Every value is checked
 * here, at start, so a typo fails fast with a clear message instead of surfacing later.
 */
export function readEnvConfig(env: Env): EnvConfig {
  const config: { -readonly [K in keyof EnvConfig]: EnvConfig[K] } = {};
  const text = (key: string) => {
    const value = env[key]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const set = <K extends keyof EnvConfig>(key: K, value: EnvConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };

  set("serverName", text("MICRO_SERVER_NAME"));
  set("serverVersion", text("MICRO_SERVER_VERSION"));
  set("serverAddress", address("MICRO_SERVER_ADDRESS", text("MICRO_SERVER_ADDRESS")));
  set("serverAdvertise", address("MICRO_SERVER_ADVERTISE", text("MICRO_SERVER_ADVERTISE")));
  set("transport", oneOf("MICRO_TRANSPORT", text("MICRO_TRANSPORT"), TRANSPORT_NAMES));
  set("registry", oneOf("MICRO_REGISTRY", text("MICRO_REGISTRY"), REGISTRY_NAMES));
  set("transportAddress", text("MICRO_TRANSPORT_ADDRESS"));
  set("registryAddress", text("MICRO_REGISTRY_ADDRESS"));
  set("broker", oneOf("MICRO_BROKER", text("MICRO_BROKER"), BROKER_NAMES));
  set("brokerAddress", text("MICRO_BROKER_ADDRESS"));
  set("connectTimeout", duration("MICRO_CONNECT_TIMEOUT", text("MICRO_CONNECT_TIMEOUT")));
  set("registerTtl", duration("MICRO_REGISTER_TTL", text("MICRO_REGISTER_TTL")));
  set("registerInterval", duration("MICRO_REGISTER_INTERVAL", text("MICRO_REGISTER_INTERVAL")));
  set("clientTimeout", duration("MICRO_CLIENT_TIMEOUT", text("MICRO_CLIENT_TIMEOUT")));
  set("clientRetries", count("MICRO_CLIENT_RETRIES", text("MICRO_CLIENT_RETRIES")));
  set(
    "maxMessageBytes",
    positive(
      "MICRO_MAX_MESSAGE_BYTES",
      count("MICRO_MAX_MESSAGE_BYTES", text("MICRO_MAX_MESSAGE_BYTES")),
    ),
  );
  const level = text("MICRO_LOG_LEVEL");
  if (level !== undefined) {
    if (!isLogLevel(level)) {
      throw new ConfigError(
        `MICRO_LOG_LEVEL=${level} is not a log level; use debug, info, warn or error`,
      );
    }
    config.logLevel = level;
  }
  return config;
}

function oneOf<T extends string>(
  key: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${key}=${value} is not supported; use one of: ${allowed.join(", ")}`);
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90` (seconds, as go-micro), `90s`, `1500ms`, `2m` or `1h` -> milliseconds. */
export function parseDuration(key: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  const amount = match ? Number(match[1]) * (UNITS[match[2] ?? "s"] as number) : Number.NaN;
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new ConfigError(
      `${key}=${value} is not a duration; use seconds (90) or a unit: 1500ms, 90s, 2m, 1h`,
    );
  }
  return amount;
}

function duration(key: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(key, value);
}

function count(key: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(`${key}=${value} is not a whole number >= 0`);
  return Number(value);
}

function positive(key: string, value: number | undefined): number | undefined {
  if (value === 0) throw new ConfigError(`${key}=0 is not allowed; use a size in bytes above 0`);
  return value;
}

/** Accepts `host:port`, `:port` (all interfaces) and `[v6]:port`; port 0 means any free port. */
export function parseAddress(key: string, value: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]*):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65535) {
    throw new ConfigError(
      `${key}=${value} is not an address; use host:port, e.g. 127.0.0.1:9090 or :9090`,
    );
  }
  const host = (match[1] as string).replace(/^\[|\]$/g, "");
  return { host: host === "" ? "0.0.0.0" : host, port };
}

function address(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const { host, port } = parseAddress(key, value);
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

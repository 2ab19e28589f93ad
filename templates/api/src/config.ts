import type { CorsOptions } from "@micro-ts/runtime/api";

/** Everything this gateway can be told; `readConfig` fills it from the environment. */
export interface GatewayConfig {
  /** Where to listen: `host:port`, `:8080` for all interfaces. `MICRO_API_ADDRESS`. */
  readonly address: string;
  /** Browser origins allowed to call; `CORS_ORIGINS` (comma-separated, or `*`). Empty: no CORS. */
  readonly cors: CorsOptions | undefined;
  /** Milliseconds a unary call may take before the caller gets 504. `API_TIMEOUT_MS`. */
  readonly timeout: number;
  /**
   * Timeouts per service (`billing`) or endpoint (`billing/Billing.Call`), overriding
   * `timeout`. Edit here: these are part of the API's design, not of a deployment.
   */
  readonly routeTimeouts: Readonly<Record<string, number>>;
  /** Largest request body in bytes; larger ones get 413. */
  readonly maxBodyBytes: number;
  /** When set, every request needs `authorization: Bearer <token>` (see auth.ts). `API_TOKEN`. */
  readonly token: string | undefined;
}

/** Reads the configuration; a bad value throws with the variable's name. */
export function readConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): GatewayConfig {
  const origins = (env["CORS_ORIGINS"] ?? "").trim();
  const timeout = Number(env["API_TIMEOUT_MS"] ?? "10000");
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new Error(
      `API_TIMEOUT_MS must be a positive number of milliseconds, got ${env["API_TIMEOUT_MS"]}`,
    );
  }
  return {
    address: env["MICRO_API_ADDRESS"] ?? ":8080",
    cors:
      origins === ""
        ? undefined
        : { origins: origins === "*" ? "*" : origins.split(",").map((origin) => origin.trim()) },
    timeout,
    routeTimeouts: {},
    maxBodyBytes: 1024 * 1024,
    token: env["API_TOKEN"] || undefined,
  };
}

import { type NatsConnection, connect } from "@nats-io/transport-node";
import { MicroError } from "../errors/micro-error.js";

/** Where NATS is when nothing says otherwise: the default port on this machine. */
export const DEFAULT_NATS_SERVERS = "127.0.0.1:4222";
/** How long a first connection may take before start fails (it then names the address). */
export const DEFAULT_CONNECT_TIMEOUT = 5_000;

/** Settings shared by every NATS-backed component. */
export interface NatsConnectionOptions {
  /**
   * Comma-separated `host:port` or `nats://host:port` of one or more servers of a cluster.
   * Default `127.0.0.1:4222`. `MICRO_*_ADDRESS` is passed here.
   */
  readonly servers?: string;
  /**
   * Milliseconds to keep trying the first connection before failing with a message that
   * names the servers. Default 5 000. After the first connection, reconnects never give up.
   */
  readonly connectTimeout?: number;
  /** An open connection to use instead of dialing; it stays the caller's to close. */
  readonly connection?: NatsConnection;
}

/** Splits `servers` into the list the client wants, rejecting an empty entry. */
export function parseServers(id: string, servers: string): string[] {
  const list = servers.split(",").map((server) => server.trim());
  if (list.length === 0 || list.some((server) => server === "")) {
    throw new MicroError(
      id,
      400,
      `NATS servers must be "host:port" entries separated by commas, got ${JSON.stringify(servers)}`,
    );
  }
  return list;
}

/**
 * Opens a connection that reconnects forever (so subscriptions survive a server restart)
 * but fails the first attempt within `connectTimeout`, so a wrong address stops a service
 * at start instead of hanging it.
 */
export async function connectNats(
  id: string,
  name: string,
  options: NatsConnectionOptions,
): Promise<NatsConnection> {
  const servers = options.servers ?? DEFAULT_NATS_SERVERS;
  const list = parseServers(id, servers);
  const timeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new MicroError(id, 400, `connectTimeout must be a positive number of ms, got ${timeout}`);
  }
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    const left = deadline - Date.now();
    try {
      return await connect({
        servers: list,
        name,
        timeout: Math.max(100, Math.min(left, 2_000)),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        reconnectJitter: 100,
        pingInterval: 10_000,
        maxPingOut: 2,
      });
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + 250 >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 1_000)));
  }
  throw new MicroError(
    id,
    503,
    `cannot reach NATS at ${servers} within ${timeout} ms (${errorText(lastError)}); ` +
      "start nats-server there, or point the address variable (MICRO_REGISTRY_ADDRESS, " +
      "MICRO_BROKER_ADDRESS, MICRO_TRANSPORT_ADDRESS) at a running one",
  );
}

/** The message of an error, without a stack. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

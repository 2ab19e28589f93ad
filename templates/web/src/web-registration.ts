import { randomUUID } from "node:crypto";
import type { Registry, ServiceRecord } from "@micro-ts/runtime";

/** Options of `registerWebApp`. */
export interface WebRegistrationOptions {
  /** The full registered name, e.g. `micro.web.shop`: `micro web` proxies it at `/shop/`. */
  readonly name: string;
  /** `host:port` the pages are served on. */
  readonly address: string;
  /** Milliseconds the registry keeps the node without a refresh. Default 90 000. */
  readonly ttl?: number;
  /** Milliseconds between refreshes. Default 30 000. */
  readonly interval?: number;
}

/** A registered web app; `deregister()` takes it out of the registry at once. */
export interface WebRegistration {
  deregister(): Promise<void>;
}

/**
 * Registers the web app as a service with no endpoints, as micro services do (TTL plus
 * a periodic refresh), so the dashboard lists it and proxies to it, and a web app that dies
 * without deregistering disappears once its TTL passes.
 */
export async function registerWebApp(
  registry: Registry,
  options: WebRegistrationOptions,
): Promise<WebRegistration> {
  const ttl = options.ttl ?? 90_000;
  const record: ServiceRecord = {
    name: options.name,
    version: "latest",
    metadata: {},
    endpoints: [],
    nodes: [
      {
        id: `${options.name}-${randomUUID()}`,
        address: options.address,
        metadata: { server: "micro-ts", web: "true" },
      },
    ],
  };
  await registry.register(record, { ttl });
  const refresh = setInterval(() => {
    registry.register(record, { ttl }).catch((error: unknown) => {
      console.warn(`re-registering ${options.name} failed; will retry: ${String(error)}`);
    });
  }, options.interval ?? 30_000);
  refresh.unref();
  return {
    async deregister() {
      clearInterval(refresh);
      await registry.deregister(record);
    },
  };
}

import {
  type Registry,
  createClient,
  createHttpTransport,
  createSelector,
} from "@micro-ts/runtime";
import { createApiGateway } from "@micro-ts/runtime/api";
import { createAuthorize } from "./auth.js";
import type { GatewayConfig } from "./config.js";

/** A listening gateway. */
export interface RunningGateway {
  /** The bound `host:port`. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Serves the services found in `registry` over HTTP/JSON: `POST /<service>/<method>`,
 * their `google.api.http` routes, `GET /` (the services) and `GET /openapi.json`. Calls
 * speak JSON to the services (the gateway knows them from the registry, not the protos).
 */
export async function startGateway(
  config: GatewayConfig,
  registry: Registry,
): Promise<RunningGateway> {
  const selector = createSelector({ registry });
  const client = createClient({ transport: createHttpTransport({ codec: "json" }), selector });
  const gateway = createApiGateway({
    registry,
    client,
    ...(config.cors === undefined ? {} : { cors: config.cors }),
    timeout: config.timeout,
    routeTimeouts: config.routeTimeouts,
    maxBodyBytes: config.maxBodyBytes,
    authorize: createAuthorize(config.token),
  });
  try {
    const { address } = await gateway.listen(config.address);
    return {
      address,
      async close() {
        await gateway.close();
        await client.close();
        await selector.close();
      },
    };
  } catch (error) {
    await gateway.close();
    await client.close();
    await selector.close();
    throw error;
  }
}

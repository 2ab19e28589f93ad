import type { EndpointSchema } from "../method/method-descriptor.js";
import type { Route } from "./api-route.js";
import { type RouteTable, endpointsOf } from "./route-table.js";

/** What `GET /` answers: the services behind the gateway, without node addresses. */
export interface ServiceIndex {
  readonly services: readonly {
    readonly name: string;
    readonly versions: readonly string[];
    readonly endpoints: readonly (EndpointSchema & { readonly routes: readonly Route[] })[];
  }[];
}

/**
 * Names, versions and endpoints (with field schemas and the routes that reach them). Node
 * addresses and metadata stay private: the gateway is the public face of the services.
 */
export function serviceIndex(table: RouteTable): ServiceIndex {
  return {
    services: [...table.services].map(([name, records]) => ({
      name,
      versions: records.map((r) => r.version),
      endpoints: endpointsOf(records).map((endpoint) => ({
        ...endpoint,
        routes: table.routes.filter((r) => r.service === name && r.endpoint === endpoint.name),
      })),
    })),
  };
}

import type { EndpointSchema, MethodKind } from "../method/method-descriptor.js";
import type { ServiceRecord } from "../registry/registry.js";
import { type PathTemplate, PathTemplateError, parsePathTemplate } from "./path-template.js";

/** One entry of the gateway's route table, derived from what services register. */
export interface Route {
  /** `google.api.http` rules (`http`) or the path-based form (`path`). */
  readonly source: "http" | "path";
  /** HTTP method (`GET`, ... or a custom verb); path-based routes are `POST`. */
  readonly method: string;
  /** Path template: `/v1/{name=users/*}`, or `/greeter/Greeter/Hello` for path-based routes. */
  readonly path: string;
  /** Registry name of the service called. */
  readonly service: string;
  /** Micro endpoint name, `Greeter.Hello`. */
  readonly endpoint: string;
  readonly kind: MethodKind;
  /** `*`, a request field that takes the body, or absent when the body is not read. */
  readonly body?: string;
  /** A response field returned instead of the whole response. */
  readonly responseBody?: string;
}

/** A route with what the gateway needs to serve it. */
export interface ResolvedRoute {
  readonly route: Route;
  readonly schema: EndpointSchema;
  readonly template: PathTemplate;
}

/** A rule a service registered that the gateway cannot serve, for the log. */
export interface RouteProblem {
  readonly service: string;
  readonly endpoint: string;
  readonly reason: string;
}

/**
 * The `google.api.http` routes of every endpoint of `records` (all versions). Invalid
 * templates are reported in `problems` and left out, so one bad rule does not take the
 * others down. The first service to claim a method and path keeps it.
 */
export function httpRoutesOf(records: readonly ServiceRecord[]): {
  routes: ResolvedRoute[];
  problems: RouteProblem[];
} {
  const routes: ResolvedRoute[] = [];
  const problems: RouteProblem[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const schema of record.endpoints) {
      const add = (route: Route) => {
        const key = `${route.method} ${route.path}`;
        if (seen.has(key)) return;
        try {
          routes.push({ route, schema, template: parsePathTemplate(route.path) });
          seen.add(key);
        } catch (error) {
          if (!(error instanceof PathTemplateError)) throw error;
          problems.push({ service: record.name, endpoint: schema.name, reason: error.message });
        }
      };
      for (const rule of schema.http) {
        add({
          source: "http",
          method: rule.method.toUpperCase(),
          path: rule.path,
          service: record.name,
          endpoint: schema.name,
          kind: schema.kind,
          ...(rule.body === undefined || rule.body === "" ? {} : { body: rule.body }),
          ...(rule.responseBody === undefined ? {} : { responseBody: rule.responseBody }),
        });
      }
    }
  }
  return { routes, problems };
}

/** `Greeter.Hello` -> [`Greeter`, `Hello`]. */
export function splitEndpoint(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? ["", name] : [name.slice(0, dot), name.slice(dot + 1)];
}

import type { EndpointSchema } from "../method/method-descriptor.js";
import type { ServiceRecord } from "../registry/registry.js";
import {
  type ResolvedRoute,
  type Route,
  type RouteProblem,
  httpRoutesOf,
  splitEndpoint,
} from "./api-route.js";

/** What a request path resolves to. */
export type RouteMatch =
  | {
      readonly found: true;
      readonly route: Route;
      readonly schema: EndpointSchema;
      /** Values of the template's variables, by field path. */
      readonly variables: Readonly<Record<string, string>>;
    }
  | {
      readonly found: false;
      /** 404 no such route, service or endpoint; 405 the path exists for other methods. */
      readonly status: 404 | 405;
      readonly detail: string;
      /** For 405: the methods the path accepts. */
      readonly allow?: readonly string[];
    };

/**
 * An immutable snapshot of the routes of every registered service: `google.api.http`
 * routes first (most literal segments first, `**` last), then the path-based form
 * `POST /<service>/<method>` and `POST /<service>/<Service>/<Method>`.
 */
export interface RouteTable {
  readonly routes: readonly Route[];
  /** Services by name, every version. */
  readonly services: ReadonlyMap<string, readonly ServiceRecord[]>;
  readonly problems: readonly RouteProblem[];
  match(method: string, path: string): RouteMatch;
}

/** Builds the table of `records` (any order; several versions of one name merge). */
export function createRouteTable(records: readonly ServiceRecord[]): RouteTable {
  const sorted = [...records].sort(
    (a, b) => compare(a.name, b.name) || compare(a.version, b.version),
  );
  const services = new Map<string, ServiceRecord[]>();
  for (const record of sorted) {
    const list = services.get(record.name) ?? [];
    list.push(record);
    services.set(record.name, list);
  }
  const { routes: httpRoutes, problems } = httpRoutesOf(sorted);
  httpRoutes.sort(
    (a, b) =>
      Number(a.template.deep) - Number(b.template.deep) ||
      b.template.literals - a.template.literals ||
      compare(a.route.path, b.route.path),
  );
  const byMethod = new Map<string, ResolvedRoute[]>();
  for (const resolved of httpRoutes) {
    const list = byMethod.get(resolved.route.method) ?? [];
    list.push(resolved);
    byMethod.set(resolved.route.method, list);
  }
  const pathRoutes: Route[] = [];
  /** Exact path-based paths (both forms, as registered) to their route: one map read per call. */
  const exactPaths = new Map<string, { route: Route; schema: EndpointSchema }>();
  for (const [name, list] of services) {
    const endpoints = endpointsOf(list);
    for (const schema of endpoints) {
      const [serviceName, methodName] = splitEndpoint(schema.name);
      const route: Route = {
        source: "path",
        method: "POST",
        path: `/${name}/${serviceName}/${methodName}`,
        service: name,
        endpoint: schema.name,
        kind: schema.kind,
        body: "*",
      };
      pathRoutes.push(route);
      exactPaths.set(route.path, { route, schema });
      const short = `/${name}/${methodName}`;
      const unique = endpoints.filter((e) => splitEndpoint(e.name)[1] === methodName).length === 1;
      if (unique) exactPaths.set(short, { route, schema });
    }
  }
  const noVariables: Readonly<Record<string, string>> = Object.freeze({});
  /**
   * The answers for exact path-based paths no `google.api.http` POST template also matches
   * (those win, so their paths take the full match below): built once, returned as is.
   */
  const postRoutes = byMethod.get("POST") ?? [];
  const exactAnswers = new Map<string, RouteMatch>();
  const shadowed = (path: string) => postRoutes.some((r) => r.template.match(path) !== undefined);
  for (const [path, exact] of exactPaths) {
    if (shadowed(path)) continue;
    exactAnswers.set(path, Object.freeze({ found: true, ...exact, variables: noVariables }));
  }
  // Lower-case forms (`/greeter/hello`), answered as the case-insensitive match would.
  for (const route of pathRoutes) {
    const [serviceName, methodName] = splitEndpoint(route.endpoint);
    const prefix = `/${route.service}/`;
    for (const path of [
      `${prefix}${methodName.toLowerCase()}`,
      `${prefix}${serviceName.toLowerCase()}/${methodName.toLowerCase()}`,
    ]) {
      if (exactAnswers.has(path) || shadowed(path)) continue;
      const answer = matchPathBased(services, "POST", path);
      if (answer.found) exactAnswers.set(path, Object.freeze({ ...answer }));
    }
  }

  return {
    routes: [...httpRoutes.map((r) => r.route), ...pathRoutes],
    services,
    problems,
    match(method, path) {
      if (method === "POST") {
        const answer = exactAnswers.get(path);
        if (answer) return answer;
      }
      for (const resolved of byMethod.get(method) ?? []) {
        const variables = resolved.template.match(path);
        if (variables) {
          return { found: true, route: resolved.route, schema: resolved.schema, variables };
        }
      }
      if (method === "POST") {
        const exact = exactPaths.get(path);
        if (exact) return { found: true, ...exact, variables: noVariables };
      }
      const pathBased = matchPathBased(services, method, path);
      if (pathBased.found || pathBased.status === 405) return pathBased;
      const allow = [...byMethod]
        .filter(([, list]) => list.some((r) => r.template.match(path) !== undefined))
        .map(([verb]) => verb);
      if (allow.length > 0) {
        return {
          found: false,
          status: 405,
          detail: `${method} ${path} is not routed; the path accepts ${allow.join(", ")}`,
          allow,
        };
      }
      return pathBased;
    },
  };
}

/** Endpoints of every version of a service, one per name (the first version's wins). */
export function endpointsOf(records: readonly ServiceRecord[]): EndpointSchema[] {
  const byName = new Map<string, EndpointSchema>();
  for (const record of records) {
    for (const endpoint of record.endpoints) {
      if (!byName.has(endpoint.name)) byName.set(endpoint.name, endpoint);
    }
  }
  return [...byName.values()];
}

/** `/greeter/hello` (method name, any case) and `/greeter/Greeter/Hello`. */
function matchPathBased(
  services: ReadonlyMap<string, readonly ServiceRecord[]>,
  method: string,
  path: string,
): RouteMatch {
  const parts = path.split("/");
  if (parts.length !== 3 && parts.length !== 4) {
    return { found: false, status: 404, detail: `no route for ${method} ${path}` };
  }
  const name = safeDecode(parts[1] as string);
  const records = name === undefined ? undefined : services.get(name);
  if (!records) {
    return {
      found: false,
      status: 404,
      detail: `no route for ${method} ${path}: no service ${JSON.stringify(name ?? parts[1])} is registered`,
    };
  }
  const endpoints = endpointsOf(records);
  const wanted = (parts.length === 3 ? parts[2] : `${parts[2]}.${parts[3]}`) as string;
  const lower = wanted.toLowerCase();
  const candidates = endpoints.filter((e) =>
    parts.length === 3
      ? splitEndpoint(e.name)[1].toLowerCase() === lower
      : e.name.toLowerCase() === lower,
  );
  const exact = candidates.filter((e) =>
    parts.length === 3 ? splitEndpoint(e.name)[1] === wanted : e.name === wanted,
  );
  const chosen =
    candidates.length === 1 ? candidates[0] : exact.length === 1 ? exact[0] : undefined;
  if (!chosen) {
    const known = endpoints.map((e) => e.name).sort();
    return {
      found: false,
      status: 404,
      detail:
        candidates.length > 1
          ? `${path} is ambiguous on service ${JSON.stringify(name)}: ${candidates.map((e) => e.name).join(", ")}; use /${name}/<Service>/<Method>`
          : `service ${JSON.stringify(name)} has no endpoint ${JSON.stringify(wanted)}; its endpoints: ${known.join(", ") || "none"}`,
    };
  }
  if (method !== "POST") {
    return {
      found: false,
      status: 405,
      detail: `${method} ${path}: path-based routes take POST`,
      allow: ["POST"],
    };
  }
  const [serviceName, methodName] = splitEndpoint(chosen.name);
  return {
    found: true,
    route: {
      source: "path",
      method: "POST",
      path: `/${name}/${serviceName}/${methodName}`,
      service: name as string,
      endpoint: chosen.name,
      kind: chosen.kind,
      body: "*",
    },
    schema: chosen,
    variables: {},
  };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

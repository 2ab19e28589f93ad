import type { IncomingMessage, ServerResponse } from "node:http";

/** Cross-origin access for browsers on other origins. Off unless given. */
export interface CorsOptions {
  /** Allowed origins: a list of exact origins (`https://app.example.com`) or `"*"`. */
  readonly origins: readonly string[] | "*";
  /** Methods a preflight allows. Default GET, HEAD, PUT, POST, DELETE, PATCH. */
  readonly methods?: readonly string[];
  /** Request headers a preflight allows. Default: whatever the preflight asks for. */
  readonly headers?: readonly string[];
  /** Response headers scripts may read. Default `x-request-id`. */
  readonly exposeHeaders?: readonly string[];
  /** Allow cookies and auth headers (never with `origins: "*"`, which then echoes the origin). */
  readonly credentials?: boolean;
  /** Seconds a browser may cache a preflight. Default 600. */
  readonly maxAge?: number;
}

/** Applies CORS to each response and answers preflights. */
export interface Cors {
  /** Response headers for a request from `origin`; empty when it is not allowed. */
  headers(req: IncomingMessage): Record<string, string>;
  /** Answers `OPTIONS` with `access-control-request-method`; returns false if it is not one. */
  preflight(req: IncomingMessage, res: ServerResponse): boolean;
}

const DEFAULT_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"];

/** Creates the CORS policy; without options every response goes out without CORS headers. */
export function createCors(options: CorsOptions | undefined): Cors {
  const allowed = options?.origins === "*" ? "*" : new Set(options?.origins ?? []);
  const methods = (options?.methods ?? DEFAULT_METHODS).join(", ");
  const expose = (options?.exposeHeaders ?? ["x-request-id"]).join(", ");
  const maxAge = String(options?.maxAge ?? 600);
  const credentials = options?.credentials === true;

  const allowOrigin = (origin: string | undefined): string | undefined => {
    if (!options || origin === undefined) return undefined;
    if (allowed === "*") return credentials ? origin : "*";
    return allowed.has(origin) ? origin : undefined;
  };
  const base = (origin: string): Record<string, string> => ({
    "access-control-allow-origin": origin,
    ...(origin === "*" ? {} : { vary: "origin" }),
    ...(credentials ? { "access-control-allow-credentials": "true" } : {}),
  });

  return {
    headers(req) {
      const origin = allowOrigin(req.headers.origin);
      if (origin === undefined) return {};
      return {
        ...base(origin),
        ...(expose === "" ? {} : { "access-control-expose-headers": expose }),
      };
    },
    preflight(req, res) {
      if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) {
        return false;
      }
      const origin = allowOrigin(req.headers.origin);
      if (origin === undefined) {
        // Not allowed: no CORS headers, so the browser blocks the real request.
        res.writeHead(204, { "content-length": "0" });
        res.end();
        return true;
      }
      const asked = req.headers["access-control-request-headers"];
      res.writeHead(204, {
        ...base(origin),
        "access-control-allow-methods": methods,
        ...(options?.headers
          ? { "access-control-allow-headers": options.headers.join(", ") }
          : asked
            ? { "access-control-allow-headers": asked }
            : {}),
        "access-control-max-age": maxAge,
        "content-length": "0",
      });
      res.end();
      return true;
    },
  };
}

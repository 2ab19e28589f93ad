import { timingSafeEqual } from "node:crypto";
import { unauthorized } from "@micro-ts/runtime";
import type { ApiRequest } from "@micro-ts/runtime/api";

/** Decides, before a service is called, whether a request may go on; throws to refuse it. */
export type Authorize = (request: ApiRequest) => void | Promise<void>;

/**
 * The auth hook: with a token configured, a request needs `authorization: Bearer <token>`
 * and is refused with 401 otherwise; without one, everything passes. Replace it with your
 * own check (a JWT, an API key per client), and add what services should know about the
 * caller to `request.metadata`: it travels with the call.
 */
export function createAuthorize(token: string | undefined): Authorize {
  if (token === undefined) return () => {};
  const expected = Buffer.from(`Bearer ${token}`);
  return (request) => {
    const given = Buffer.from(String(request.headers.authorization ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized("api", "a valid bearer token is required");
    }
    request.metadata["x-authenticated"] = "token";
  };
}

import type { ServerResponse } from "node:http";
import { MicroError } from "../errors/micro-error.js";

/**
 * The HTTP status of a micro error. A deadline that passed while the gateway waited on a
 * service (408 from the client) is the upstream's fault: 504. Codes outside 400..599 (a
 * service that threw something odd) become 500 so clients always see an error status.
 */
export function httpStatusOf(error: MicroError): number {
  if (error.code === 408) return 504;
  if (error.code === 499) return 499;
  return error.code >= 400 && error.code <= 599 ? error.code : 500;
}

/** Writes `error` as the JSON body `{id, code, detail, status}` with its HTTP status. */
export function writeError(
  res: ServerResponse,
  error: MicroError,
  headers: Readonly<Record<string, string>> = {},
): void {
  const status = httpStatusOf(error);
  const shown = status === error.code ? error : new MicroError(error.id, status, error.detail);
  const body = JSON.stringify(shown.toJSON());
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

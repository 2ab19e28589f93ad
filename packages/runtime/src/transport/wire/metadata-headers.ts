import type { IncomingHttpHeaders } from "node:http";
import type { Metadata } from "../../metadata/metadata.js";

/**
 * Headers that belong to HTTP itself or to the message framing, never to the caller:
 * they are dropped when headers become metadata, so handlers see only what callers sent.
 * Protocol-specific prefixes (`connect-`, `grpc-`) are added by each transport.
 */
const HTTP_HEADERS = new Set([
  "accept",
  "accept-encoding",
  "connection",
  "content-encoding",
  "content-length",
  "content-type",
  "date",
  "expect",
  "host",
  "http2-settings",
  "keep-alive",
  "proxy-connection",
  "server",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "vary",
]);

/** True for a header that carries no caller metadata on any HTTP-based wire. */
export function isHttpHeader(name: string): boolean {
  return name.charCodeAt(0) === 58 /* ":" pseudo-header */ || HTTP_HEADERS.has(name);
}

/**
 * Turns request or response headers into metadata: lower-case keys (Node already lowers
 * them), repeated values joined with `, ` as HTTP allows, and every header the transport
 * owns (`isReserved`) left out.
 */
export function metadataFromHeaders(
  headers: IncomingHttpHeaders | Readonly<Record<string, string | string[] | undefined>>,
  isReserved: (name: string) => boolean,
): Metadata {
  const out: Metadata = {};
  for (const key of Object.keys(headers)) {
    const name = key.toLowerCase();
    if (isReserved(name)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * Copies caller metadata into an outgoing header object, skipping keys a transport
 * must own, so metadata can never forge the framing headers (content-type, timeouts).
 */
export function addMetadataHeaders(
  target: Record<string, string>,
  metadata: Readonly<Metadata>,
  isReserved: (name: string) => boolean,
): void {
  for (const key of Object.keys(metadata)) {
    const name = key.toLowerCase();
    if (!isReserved(name)) target[name] = metadata[key] as string;
  }
}

import type { Codec } from "../../codec/codec.js";
import { MicroError, badRequest } from "../../errors/micro-error.js";
import {
  httpStatusForConnectCode,
  statusForCode,
  statusForConnectCode,
} from "../../errors/status-codes.js";
import type { Metadata } from "../../metadata/metadata.js";
import { isHttpHeader } from "../wire/metadata-headers.js";
import { MICRO_ERROR_HEADER } from "../wire/micro-error-header.js";

// The pieces of the Connect protocol (https://connectrpc.com/docs/protocol) that both the
// server and the client side of the http transport need.

/** The only protocol version Connect defines; sent by clients, checked when present. */
export const CONNECT_PROTOCOL_VERSION = "1";

/** The Connect spec caps `connect-timeout-ms` at 10 digits. */
const MAX_TIMEOUT_DIGITS = 10;

/** How a request's content type frames its messages. */
export interface ConnectContentType {
  /** True for `application/connect+<codec>`: enveloped messages and an end-stream frame. */
  readonly streaming: boolean;
  readonly codec: Codec;
}

/**
 * Finds the framing and codec of a Connect content type (`application/json`,
 * `application/connect+proto; charset=utf-8`, ...); undefined for anything else.
 */
export function parseContentType(
  header: string | undefined,
  codecs: ReadonlyMap<string, Codec>,
): ConnectContentType | undefined {
  if (header === undefined) return undefined;
  const semicolon = header.indexOf(";");
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (!type.startsWith("application/")) return undefined;
  const subtype = type.slice("application/".length);
  const streaming = subtype.startsWith("connect+");
  const codec = codecs.get(streaming ? subtype.slice("connect+".length) : subtype);
  return codec ? { streaming, codec } : undefined;
}

/** Content type of a body in the given framing. */
export function contentTypeFor(codec: Codec, streaming: boolean): string {
  return streaming ? `application/connect+${codec.name}` : codec.contentType;
}

/**
 * The absolute deadline a `connect-timeout-ms` header asks for. A value that is not 1-10
 * digits is the caller's mistake (400), as the spec requires, not something to ignore.
 */
export function parseTimeout(
  header: string | string[] | undefined,
  now: number,
): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value) || value.length > MAX_TIMEOUT_DIGITS) {
    throw badRequest("micro.server", `invalid connect-timeout-ms header: "${String(value)}"`);
  }
  return now + Number(value);
}

/** Connect headers the transport owns: never metadata, never overridable by metadata. */
export function isConnectHeader(name: string): boolean {
  return isHttpHeader(name) || name.startsWith("connect-") || name === MICRO_ERROR_HEADER;
}

/** The JSON body of a Connect unary error, and the `error` of an end-stream message. */
export interface ConnectErrorJson {
  code: string;
  message: string;
}

/** The Connect code a micro error travels as. */
export function connectCodeOf(error: MicroError): string {
  return statusForCode(error.code).connect;
}

/** HTTP status of a unary error response, per the Connect table (not the micro code). */
export function httpStatusOf(error: MicroError): number {
  return httpStatusForConnectCode(connectCodeOf(error));
}

/** The Connect error JSON of a micro error. */
export function connectErrorJson(error: MicroError): ConnectErrorJson {
  return { code: connectCodeOf(error), message: error.detail };
}

/**
 * Connect's mapping of an HTTP status to a code, for error responses that carry no
 * Connect error body (a proxy's 502 page, a 404 from a non-Connect server).
 */
export function connectCodeForHttpStatus(status: number): string {
  switch (status) {
    case 400:
      return "internal";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "unimplemented";
    case 429:
    case 502:
    case 503:
    case 504:
      return "unavailable";
    default:
      return "unknown";
  }
}

/**
 * The micro error a Connect error describes when the peer sent no `micro-error`: the code
 * maps through the shared table and `id` says where the call went.
 */
export function microErrorFromConnect(
  error: unknown,
  fallbackStatus: number,
  id: string,
): MicroError {
  const json = error as Partial<ConnectErrorJson> | null | undefined;
  const code =
    typeof json?.code === "string" ? json.code : connectCodeForHttpStatus(fallbackStatus);
  const message =
    typeof json?.message === "string" && json.message !== ""
      ? json.message
      : `${code} (HTTP ${fallbackStatus})`;
  return new MicroError(id, statusForConnectCode(code).code, message);
}

/** Metadata in an end-stream message: Connect allows several values per key. */
export type EndStreamMetadata = Record<string, string[]>;

/** The JSON of Connect's final envelope: trailers, and the error when the call failed. */
export interface EndStreamJson {
  error?: ConnectErrorJson;
  metadata?: EndStreamMetadata;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds the end-stream payload. The exact micro error rides along as a trailer, the
 * same way unary responses carry it as a header.
 */
export function encodeEndStream(
  trailers: Readonly<Metadata>,
  error: MicroError | undefined,
): Uint8Array {
  const metadata: EndStreamMetadata = {};
  for (const key of Object.keys(trailers)) metadata[key] = [trailers[key] as string];
  const json: EndStreamJson = {};
  if (error) {
    json.error = connectErrorJson(error);
    metadata[MICRO_ERROR_HEADER] = [JSON.stringify(error.toJSON())];
  }
  if (Object.keys(metadata).length > 0) json.metadata = metadata;
  return encoder.encode(JSON.stringify(json));
}

/** The trailers and error of an end-stream payload; a malformed one is the peer's bug (502). */
export function decodeEndStream(
  data: Uint8Array,
  id: string,
): { trailers: Metadata; error: MicroError | undefined } {
  let json: EndStreamJson;
  try {
    json = JSON.parse(decoder.decode(data)) as EndStreamJson;
  } catch (error) {
    throw new MicroError(
      id,
      502,
      `malformed Connect end-stream message: ${(error as Error).message}`,
    );
  }
  const trailers: Metadata = {};
  let micro: MicroError | undefined;
  for (const [key, values] of Object.entries(json?.metadata ?? {})) {
    if (!Array.isArray(values)) continue;
    const name = key.toLowerCase();
    if (name === MICRO_ERROR_HEADER) micro = MicroError.parse(String(values[0]));
    else trailers[name] = values.join(", ");
  }
  const error = json?.error ? (micro ?? microErrorFromConnect(json.error, 200, id)) : undefined;
  return { trailers, error };
}

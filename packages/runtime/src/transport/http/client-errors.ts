import { MicroError, serviceUnavailable } from "../../errors/micro-error.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";

/**
 * Error codes meaning the request never reached a handler that answered: refused,
 * reset or closed connections, refused HTTP/2 streams. They are 503s from
 * `micro.client`, which the client layer retries on another node.
 */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_INVALID_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_ERROR",
]);

/** The `code` of a Node or undici error, also when it is wrapped as the `cause`. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a failure below the Connect layer into a MicroError: `reason` (the guard's 408
 * or 499) when the call was cancelled or timed out, a retryable 503 when the connection failed
 * before an answer, and a 500 from `micro.client` for anything unexpected.
 */
export function transportFailure(
  error: unknown,
  method: MethodDescriptor,
  address: string,
  reason: MicroError | undefined,
): MicroError {
  if (reason) return reason;
  if (error instanceof MicroError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return serviceUnavailable(
      "micro.client",
      `${method.service}/${method.name} at ${address} unavailable: ${message} (${code})`,
    );
  }
  return new MicroError(
    "micro.client",
    500,
    `calling ${method.service}/${method.name} at ${address} failed: ${message}`,
    {
      cause: error,
    },
  );
}

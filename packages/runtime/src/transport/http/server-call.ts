import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { type MicroError, canceled, payloadTooLarge, timeout } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import { metadataFromHeaders } from "../wire/metadata-headers.js";
import type { InboundCall } from "../transport.js";
import { isConnectHeader } from "./connect-protocol.js";

/** setTimeout overflows past this many ms; later deadlines never fire on the server. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * What the handler needs of a request, shared by `node:http`'s IncomingMessage and
 * `node:http2`'s compatibility Http2ServerRequest, so one code path serves h1 and h2c.
 */
export interface WireRequest {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersionMajor: number;
  readonly readableEnded: boolean;
  on(event: "data", listener: (chunk: Buffer) => void): this;
  on(event: "end", listener: () => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  iterator(options: { destroyOnReturn: boolean }): AsyncIterableIterator<Buffer>;
  resume(): this;
}

/** What the handler needs of a response (ServerResponse and Http2ServerResponse alike). */
export interface WireResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  writeHead(statusCode: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk: Uint8Array | string): unknown;
  once(event: "close" | "drain", listener: () => void): unknown;
  removeListener(event: "close" | "drain", listener: () => void): unknown;
}

/** One call being served: the InboundCall the route sees, and its lifetime. */
export interface ServerCall {
  readonly inbound: InboundCall;
  readonly signal: AbortSignal;
  /** True once the client went away: nothing more can be written. */
  readonly gone: () => boolean;
  /**
   * Marks the call answered (the response is about to be written): stops the deadline
   * timer, and a connection closing afterwards no longer counts as a cancellation.
   */
  complete(): void;
}

/**
 * Starts a call: metadata from the headers, an AbortSignal that aborts with a 499 when
 * the client disconnects or resets the stream and with a 408 when the deadline passes.
 */
export function startServerCall(
  request: WireRequest,
  response: WireResponse,
  path: string,
  deadline: number | undefined,
): ServerCall {
  const controller = new AbortController();
  let done = false;
  let gone = false;
  let timer: NodeJS.Timeout | undefined;
  const onClose = () => {
    gone = true;
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    controller.abort(canceled("micro.server", `the client canceled ${path} or disconnected`));
  };
  response.once("close", onClose);
  if (deadline !== undefined) {
    const budget = deadline - Date.now();
    const expire = () =>
      controller.abort(timeout("micro.server", `deadline exceeded serving ${path}`));
    if (budget <= 0) expire();
    else if (budget <= MAX_TIMER_MS) timer = setTimeout(expire, budget);
  }
  const metadata: Metadata = metadataFromHeaders(request.headers, isConnectHeader);
  return {
    inbound: { metadata, deadline, signal: controller.signal },
    signal: controller.signal,
    gone: () => gone || response.destroyed,
    complete() {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as MicroError);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as MicroError);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The error for a message past the listener's limit, naming the limit. */
export function tooLarge(what: string, size: number, limit: number): MicroError {
  return payloadTooLarge(
    "micro.server",
    `${what} of ${size} bytes exceeds the limit of ${limit} bytes (maxMessageBytes)`,
  );
}

/**
 * Reads a unary body. Past the limit it rejects at once and keeps discarding the rest,
 * so the error response can be written and a keep-alive connection stays usable.
 */
export function readBody(request: WireRequest, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers["content-length"]);
  if (declared > limit) {
    request.resume();
    return Promise.reject(tooLarge("request message", declared, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on("data", (chunk) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge("request message", size, limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!failed)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    request.on("error", (error) => {
      failed = true;
      reject(error);
    });
  });
}

/** Resolves when a response can take more bytes, or when it closed (the caller checks). */
export function drained(response: WireResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.removeListener("drain", done);
      response.removeListener("close", done);
      resolve();
    };
    response.once("drain", done);
    response.once("close", done);
  });
}

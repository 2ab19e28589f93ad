import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { type MicroError, canceled, payloadTooLarge, timeout } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import { metadataFromHeaders } from "../wire/metadata-headers.js";
import type { DeadlineWheel } from "../deadline-wheel.js";
import type { InboundCall } from "../transport.js";
import { isConnectHeader } from "./connect-protocol.js";

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
  on(event: "close", listener: () => void): unknown;
  once(event: "close" | "drain", listener: () => void): unknown;
  removeListener(event: "close" | "drain", listener: () => void): unknown;
}

/** One call being served: the InboundCall the route sees, and its lifetime. */
export interface ServerCall {
  readonly inbound: InboundCall;
  /** True once the client went away: nothing more can be written. */
  gone(): boolean;
  /**
   * Claims the right to answer: stops the deadline timer, and a connection closing
   * afterwards no longer counts as a cancellation. False when the call already ended
   * (the client left, or the deadline answered for it): then write nothing.
   */
  complete(): boolean;
}

/**
 * Starts a call: metadata from the headers, an AbortSignal that aborts with a 499 when
 * the client disconnects or resets the stream and with a 408 when the deadline passes;
 * `onDeadline` then answers for the call at once, whatever the handler is doing. The
 * listener's `deadlines` wheel times every call, so a call costs no timer of its own.
 */
export function startServerCall(
  request: WireRequest,
  response: WireResponse,
  path: string,
  deadline: number | undefined,
  deadlines: DeadlineWheel,
  onDeadline?: (error: MicroError) => void,
): ServerCall {
  return new HttpServerCall(request, response, path, deadline, deadlines, onDeadline);
}

/** Where a response keeps its call, so one shared listener serves every response. */
const kCall = Symbol("micro.serverCall");
type CallResponse = WireResponse & { [kCall]?: HttpServerCall };

function onResponseClose(this: CallResponse): void {
  this[kCall]?.closed();
}

/**
 * A class rather than closures: one of these is built per request, and V8 builds a
 * class instance (with its `signal` getter on the prototype) far cheaper than an object
 * literal with an accessor; the close listener is a shared function and the deadline
 * is watched by the listener's wheel. The AbortController is only built when someone reads
 * `signal` or when it must abort, as it is the costliest object of a call.
 */
class HttpServerCall implements ServerCall, InboundCall {
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  #controller: AbortController | undefined;
  #done = false;
  #gone = false;
  #watched = false;
  readonly #deadlines: DeadlineWheel;
  readonly #response: WireResponse;
  readonly #path: string;
  readonly #onDeadline: ((error: MicroError) => void) | undefined;

  constructor(
    request: WireRequest,
    response: WireResponse,
    path: string,
    deadline: number | undefined,
    deadlines: DeadlineWheel,
    onDeadline: ((error: MicroError) => void) | undefined,
  ) {
    this.metadata = metadataFromHeaders(request.headers, isConnectHeader);
    this.deadline = deadline;
    this.#response = response;
    this.#path = path;
    this.#onDeadline = onDeadline;
    this.#deadlines = deadlines;
    (response as CallResponse)[kCall] = this;
    // `on`, not `once`: a response closes once, and `once` wraps the listener per call.
    response.on("close", onResponseClose);
    if (deadline !== undefined) {
      const budget = deadline - Date.now();
      if (budget <= 0) {
        queueMicrotask(() => this.expire());
      } else {
        deadlines.watch(deadline, this);
        this.#watched = true;
      }
    }
  }

  get inbound(): InboundCall {
    return this;
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  gone(): boolean {
    return this.#gone || this.#response.destroyed;
  }

  complete(): boolean {
    if (this.#done) return false;
    this.#done = true;
    if (this.#watched) this.#deadlines.unwatch(this.deadline as number, this);
    return true;
  }

  #abort(reason: MicroError): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }

  /** The client went away: a call not yet answered is cancelled. */
  closed(): void {
    this.#gone = true;
    if (!this.complete()) return;
    this.#abort(canceled("micro.server", `the client canceled ${this.#path} or disconnected`));
  }

  /** The deadline passed: abort the handler and answer for it. */
  expire(): void {
    if (this.#done) return;
    this.#done = true;
    const error = timeout("micro.server", `deadline exceeded serving ${this.#path}`);
    this.#abort(error);
    this.#onDeadline?.(error);
  }
}

/** The error for a message past the listener's limit, naming the limit. */
export function tooLarge(what: string, size: number, limit: number): MicroError {
  return payloadTooLarge(
    "micro.server",
    `${what} of ${size} bytes exceeds the limit of ${limit} bytes (maxMessageBytes)`,
  );
}

/**
 * Reads a unary body and hands it to `done` (a callback, not a promise: this runs on every
 * call). Past the limit it fails at once and keeps discarding the rest, so the error
 * response can be written and a keep-alive connection stays usable.
 */
export function readBody(
  request: WireRequest,
  limit: number,
  done: (error: Error | undefined, body: Uint8Array | undefined) => void,
): void {
  const declared = Number(request.headers["content-length"]);
  if (declared > limit) {
    request.resume();
    done(tooLarge("request message", declared, limit), undefined);
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let settled = false;
  request.on("data", (chunk) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      settled = true;
      first = undefined;
      chunks = undefined;
      done(tooLarge("request message", size, limit), undefined);
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  request.on("end", () => {
    if (settled) return;
    settled = true;
    done(undefined, chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
  });
  request.on("error", (error) => {
    if (settled) return;
    settled = true;
    done(error, undefined);
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

import type { EventEmitter } from "node:events";
import {
  Metadata as GrpcMetadata,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
  type sendUnaryData,
} from "@grpc/grpc-js";
import { createProtoCodec } from "../../codec/proto-codec.js";
import { MicroError, internalServerError, timeout } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import type { MessageType } from "../../method/method-descriptor.js";
import type { InboundCall, Route, RouteResult } from "../transport.js";
import { fromGrpcMetadata, toGrpcMetadata } from "./grpc-metadata.js";
import { toGrpcStatus } from "./grpc-status.js";
import type { DeadlineWheel, Expirable } from "../deadline-wheel.js";
import { untilAborted } from "../until-aborted.js";

/** The grpc-js handler type names, by method kind. */
export const GRPC_HANDLER_TYPES = {
  unary: "unary",
  server_streaming: "serverStream",
  client_streaming: "clientStream",
  bidi_streaming: "bidi",
} as const;

type AnyServerCall =
  | ServerUnaryCall<Buffer, unknown>
  | ServerReadableStream<Buffer, unknown>
  | ServerWritableStream<Buffer, unknown>
  | ServerDuplexStream<Buffer, unknown>;
/** What a served call is watched through: its `cancelled` flag and event. */
type CancellableCall = Pick<EventEmitter, "once" | "removeListener"> & {
  readonly cancelled: boolean;
};
type StreamingServerCall =
  ServerWritableStream<Buffer, unknown> | ServerDuplexStream<Buffer, unknown>;

/** One served call's inbound facts plus the hook that releases its listeners and timer. */
interface Started {
  readonly inbound: InboundCall;
  end(): void;
}

const codec = createProtoCodec();

/**
 * Wraps a route as a grpc-js handler. Requests arrive as raw bytes (identity
 * deserializer) and are decoded here, so malformed bytes become INVALID_ARGUMENT with a
 * micro error rather than grpc-js's generic INTERNAL. `cancelReason` says why a call was
 * cancelled: the caller (499) or a forced server shutdown (503). `deadlines` is the
 * listener's wheel that times every call.
 */
export function createGrpcHandler(
  route: Route,
  cancelReason: () => MicroError,
  deadlines: DeadlineWheel,
): UntypedHandleCall {
  const { input } = route.method;
  switch (route.method.kind) {
    case "unary":
      return (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
        const started = start(call, cancelReason, deadlines);
        respondOnce(
          call,
          started,
          () => route.invoke(started.inbound, decode(call.request, input)),
          callback,
        );
      };
    case "client_streaming":
      return (call: ServerReadableStream<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
        const started = start(call, cancelReason, deadlines);
        const requests = readRequests(call, input, started.inbound.signal);
        respondOnce(call, started, () => route.invoke(started.inbound, requests), callback);
      };
    case "server_streaming":
      return (call: ServerWritableStream<Buffer, unknown>) => {
        const started = start(call, cancelReason, deadlines);
        void respondStream(call, started, () =>
          route.invoke(started.inbound, decode(call.request, input)),
        );
      };
    case "bidi_streaming":
      return (call: ServerDuplexStream<Buffer, unknown>) => {
        const started = start(call, cancelReason, deadlines);
        const requests = readRequests(call, input, started.inbound.signal);
        void respondStream(call, started, () => route.invoke(started.inbound, requests));
      };
  }
}

/** Reads metadata and deadline, and watches cancellation and the deadline. */
function start(
  call: AnyServerCall,
  cancelReason: () => MicroError,
  deadlines: DeadlineWheel,
): Started {
  return new GrpcServerCall(call, cancelReason, deadlines);
}

/**
 * One served call. A class whose AbortController, cancellation listener and deadline watch
 * are all made when the signal is first read: one is built per request, and most unary
 * handlers never look at their signal, while grpc-js answers DEADLINE_EXCEEDED at the
 * deadline by itself. Until then an abort could reach no one.
 * `end()` lets go of the grpc-js call: the handler's context and call scope point here,
 * and when one of them had been promoted, its link kept the call's whole young graph
 * (stream, buffers) alive through scavenges, so a quarter of what the server allocated
 * per call was promoted and old-space GC tripled.
 */
class GrpcServerCall implements Started, InboundCall, Expirable {
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  #controller: AbortController | undefined;
  #ended = false;
  #watched = false;
  #call: CancellableCall | undefined;
  #onCancelled: (() => void) | undefined;
  readonly #cancelReason: () => MicroError;
  readonly #deadlines: DeadlineWheel;

  constructor(call: AnyServerCall, cancelReason: () => MicroError, deadlines: DeadlineWheel) {
    this.metadata = fromGrpcMetadata(call.metadata);
    const rawDeadline = call.getDeadline();
    const deadlineMs = rawDeadline instanceof Date ? rawDeadline.getTime() : rawDeadline;
    this.deadline = Number.isFinite(deadlineMs) ? deadlineMs : undefined;
    this.#call = call;
    this.#cancelReason = cancelReason;
    this.#deadlines = deadlines;
  }

  get inbound(): InboundCall {
    return this;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (!this.#ended) this.#follow();
    }
    return this.#controller.signal;
  }

  /** The deadline passed (called by the wheel). */
  expire(): void {
    this.#watched = false;
    this.#abort(timeout("micro.server", "deadline exceeded"));
  }

  end(): void {
    this.#ended = true;
    if (this.#watched) {
      this.#watched = false;
      this.#deadlines.unwatch(this.deadline as number, this);
    }
    if (this.#onCancelled) this.#call?.removeListener("cancelled", this.#onCancelled);
    this.#call = undefined;
  }

  /** Starts watching the caller's cancellation and the deadline, for the signal. */
  #follow(): void {
    const call = this.#call as CancellableCall;
    if (call.cancelled) {
      this.#abort(this.#cancelReason());
      return;
    }
    this.#onCancelled = () => {
      if (!this.#ended) this.#abort(this.#cancelReason());
    };
    call.once("cancelled", this.#onCancelled);
    if (this.deadline === undefined) return;
    if (this.deadline <= Date.now()) {
      this.expire();
      return;
    }
    this.#deadlines.watch(this.deadline, this);
    this.#watched = true;
  }

  #abort(reason: MicroError): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }
}

function decode(bytes: Buffer, type: MessageType<unknown>): unknown {
  return codec.decode(bytes, type);
}

/** Unary and client-streaming: one response, headers with it, errors as status + trailers. */
function respondOnce(
  call: ServerUnaryCall<Buffer, unknown> | ServerReadableStream<Buffer, unknown>,
  started: Started,
  invoke: () => RouteResult,
  callback: sendUnaryData<unknown>,
): void {
  let result: RouteResult;
  try {
    result = invoke();
  } catch (error) {
    started.end();
    callback(toGrpcStatus(error, new GrpcMetadata()));
    return;
  }
  const metadata = result.context.responseMetadata;
  const answer = (message: unknown) => {
    started.end();
    try {
      if (hasKeys(metadata)) call.sendMetadata(responseHeaders(metadata));
    } catch (error) {
      callback(toGrpcStatus(error, new GrpcMetadata()));
      return;
    }
    callback(null, message);
  };
  if (result.settled) {
    answer(result.message);
    return;
  }
  (result.response as Promise<unknown>).then(answer, (error: unknown) => {
    started.end();
    callback(toGrpcStatus(error, trailersOrEmpty(metadata, undefined)));
  });
}

/**
 * Server and bidi streaming: response metadata set before the first message goes out as
 * headers, what is added later as trailers. Writes wait for `drain`, so a slow reader
 * slows the handler down instead of filling memory.
 */
async function respondStream(
  call: StreamingServerCall,
  started: Started,
  invoke: () => RouteResult,
): Promise<void> {
  const { signal } = started.inbound;
  let iterator: AsyncIterator<unknown> | undefined;
  let metadata: Metadata = {};
  let sent: Metadata | undefined;
  try {
    const result = invoke();
    metadata = result.context.responseMetadata;
    iterator = (result.response as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) break;
      if (!sent) {
        sent = { ...metadata };
        call.sendMetadata(responseHeaders(sent));
      }
      if (!call.write(next.value)) await drained(call, signal);
    }
    const trailers = trailersOf(metadata, sent);
    call.end(trailers);
  } catch (error) {
    if (signal.aborted) {
      // The call is gone (cancelled, deadline, forced close): stop the handler, send nothing.
      iterator?.return?.(undefined)?.catch(() => undefined);
    } else {
      call.emit("error", toGrpcStatus(error, trailersOrEmpty(metadata, sent)));
    }
  } finally {
    started.end();
  }
}

/**
 * The request stream as the handler sees it: decoded messages, pulled one at a time so
 * HTTP/2 flow control pushes back on a fast sender. A cancelled call ends it with the
 * signal's reason; a malformed message ends it with a 400.
 */
async function* readRequests(
  call: ServerReadableStream<Buffer, unknown> | ServerDuplexStream<Buffer, unknown>,
  type: MessageType<unknown>,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  try {
    // Not `for await (… of call)`: that destroys the whole duplex when reading ends, and
    // with it the response side a bidi handler still has to write and end.
    for await (const bytes of call.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      yield codec.decode(bytes, type);
    }
  } catch (error) {
    throw signal.aborted ? signal.reason : MicroError.from(error);
  }
}

function hasKeys(metadata: Metadata): boolean {
  for (const _ in metadata) return true;
  return false;
}

/** Handler-set metadata as headers; keys gRPC cannot carry are a server bug, so a 500. */
function responseHeaders(metadata: Metadata): GrpcMetadata {
  try {
    return toGrpcMetadata(metadata, "micro.server");
  } catch (error) {
    throw internalServerError(
      "micro.server",
      `invalid response metadata: ${(error as MicroError).detail}`,
    );
  }
}

/** What changed in `metadata` since the headers went out (everything, if none did). */
function trailersOf(metadata: Metadata, sent: Metadata | undefined): GrpcMetadata {
  if (!sent) return responseHeaders(metadata);
  const changed: Metadata = {};
  for (const key of Object.keys(metadata)) {
    if (sent[key] !== metadata[key]) changed[key] = metadata[key] as string;
  }
  return responseHeaders(changed);
}

/** Trailers for an error status: the handler's metadata when valid, else none. */
function trailersOrEmpty(metadata: Metadata, sent: Metadata | undefined): GrpcMetadata {
  try {
    return trailersOf(metadata, sent);
  } catch {
    return new GrpcMetadata();
  }
}

function drained(call: StreamingServerCall, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.removeListener("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    call.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

import type { HandlerContext } from "../context/handler-context.js";
import type { Metadata } from "../metadata/metadata.js";
import type { MethodDescriptor } from "../method/method-descriptor.js";

/**
 * How bytes move between a client and a server. Like connect-es, a transport has a
 * server side (`listen`) and a client side (`unary` and `stream`), and nothing else:
 * discovery, retries and wrappers live in the client and server above it.
 */
export interface Transport {
  /** `http`, `grpc`, `memory`, ...: registered in node metadata so clients pick the same. */
  readonly name: string;
  listen(options: ListenOptions): Promise<TransportListener>;
  /** A client side sharing connections per address; `close()` it when done. */
  client(): TransportClient;
}

/** What a transport needs to serve calls. */
export interface ListenOptions {
  /** `host:port`; port 0 picks a free one (the listener reports the real address). */
  readonly address: string;
  readonly router: Router;
  /** Largest request or response message in bytes; larger ones get a 413. */
  readonly maxMessageBytes: number;
}

/** A bound listener. */
export interface TransportListener {
  /** The address clients should dial, `host:port`, with the real port. */
  readonly address: string;
  /**
   * Stops taking new calls, lets in-flight ones finish for up to `timeout` ms, then
   * closes every connection.
   */
  close(timeout: number): Promise<void>;
}

/** Maps wire paths (`/greeter.v1.Greeter/Hello`) to the server's handlers. */
export interface Router {
  route(path: string): Route | undefined;
  /** Every route; transports that must declare methods up front (gRPC) enumerate them. */
  routes(): Iterable<Route>;
}

/** The per-call facts a transport reads off the wire before invoking a route. */
export interface InboundCall {
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly signal: AbortSignal;
}

/**
 * A served method. Invoking it runs wrappers and tracks the call as in-flight; the
 * transport only decodes, invokes and encodes. Both methods reject with `MicroError`.
 */
export interface Route {
  readonly method: MethodDescriptor;
  /** Unary and server-streaming methods receive one request; the others a stream. */
  invoke(call: InboundCall, request: unknown | AsyncIterable<unknown>): RouteResult;
}

/** A route's answer: one message for unary/client-streaming, a stream otherwise. */
export interface RouteResult {
  readonly context: HandlerContext;
  readonly response: Promise<unknown> | AsyncIterable<unknown>;
  /**
   * True when a unary or client-streaming handler answered synchronously; `message` is the
   * answer. A transport may then write it at once, without the promise hop `response`
   * costs.
   */
  readonly settled?: boolean;
  readonly message?: unknown;
}

/** The per-call facts a client hands to its transport. */
export interface OutboundCall {
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onResponseMetadata?: (metadata: Metadata) => void;
}

/** The calling side of a transport. Errors are always `MicroError`s. */
export interface TransportClient {
  unary<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    call: OutboundCall,
  ): Promise<O>;
  /** Every non-unary kind: the server/client-streaming sides carry exactly one message. */
  stream<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    requests: AsyncIterable<I>,
    call: OutboundCall,
  ): AsyncIterable<O>;
  close(): Promise<void>;
}

import type { HandlerContext, MessageContext } from "../context/handler-context.js";

/** Serves a unary method. */
export type UnaryHandler<I, O> = (request: I, context: HandlerContext) => O | Promise<O>;
/** Serves a server-streaming method: yields the responses. */
export type ServerStreamingHandler<I, O> = (
  request: I,
  context: HandlerContext,
) => AsyncIterable<O>;
/** Serves a client-streaming method: reads the requests, returns one response. */
export type ClientStreamingHandler<I, O> = (
  requests: AsyncIterable<I>,
  context: HandlerContext,
) => O | Promise<O>;
/** Serves a bidi-streaming method. */
export type BidiStreamingHandler<I, O> = (
  requests: AsyncIterable<I>,
  context: HandlerContext,
) => AsyncIterable<O>;

/** Any of the four handler shapes; the method's `kind` says which. */
export type MethodHandler =
  | UnaryHandler<any, any>
  | ServerStreamingHandler<any, any>
  | ClientStreamingHandler<any, any>
  | BidiStreamingHandler<any, any>;

/** A service implementation keyed by proto method name (`Hello`), as generated code builds it. */
export type ServiceImplementation = Readonly<Record<string, MethodHandler>>;

/** Receives the decoded messages of a topic. A rejection is logged; the message is not retried. */
export type Subscriber<T> = (message: T, context: MessageContext) => void | Promise<void>;

/**
 * The shape wrappers see: request in (a message or a stream), response out (a promise
 * of a message, or a stream).
 */
export type HandlerFn = (request: unknown, context: HandlerContext) => unknown;

/** Middleware around every handler (auth, logging, metrics): an onion. */
export type HandlerWrapper = (next: HandlerFn) => HandlerFn;

/** Middleware around every subscriber. */
export type SubscriberWrapper = (next: Subscriber<unknown>) => Subscriber<unknown>;

import type { CallOptions, PublishOptions } from "../context/call-options.js";
import type { Metadata } from "../metadata/metadata.js";
import type { MethodDescriptor, TopicDescriptor } from "../method/method-descriptor.js";

/**
 * Calls services by name: looks the name up in the registry, lets the selector pick a
 * node, and retries retryable failures on another node within the call's deadline.
 * Generated clients (`createGreeterClient(client)`) are thin typed layers over this.
 */
export interface Client {
  /** A unary call. Rejects with `MicroError`. */
  call<I, O>(
    service: string,
    method: MethodDescriptor<I, O>,
    request: I,
    options?: CallOptions,
  ): Promise<O>;
  /**
   * Any streaming call. Server-streaming passes a one-message `requests`; client
   * streaming yields exactly one response.
   */
  stream<I, O>(
    service: string,
    method: MethodDescriptor<I, O>,
    requests: AsyncIterable<I>,
    options?: CallOptions,
  ): AsyncIterable<O>;
  /** Encodes the message and publishes it on the topic's broker. */
  publish<T>(topic: TopicDescriptor<T>, message: T, options?: PublishOptions): Promise<void>;
  close(): Promise<void>;
}

/** One outgoing call as client wrappers see it. */
export interface ClientRequest {
  readonly service: string;
  readonly method: MethodDescriptor;
  /** The request message, or an `AsyncIterable` of them for streaming kinds. */
  readonly request: unknown;
  readonly metadata: Metadata;
  /** Absolute deadline in epoch ms; streams have none unless one was set or inherited. */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** The caller's options as given (retries, address, ...), for wrappers to read. */
  readonly options: CallOptions;
}

/** Performs a call: resolves to the response, or to an `AsyncIterable` for streaming kinds. */
export type ClientCallFn = (request: ClientRequest) => Promise<unknown>;

/** Middleware around every outgoing call (logging, auth headers, tracing): an onion. */
export type ClientWrapper = (next: ClientCallFn) => ClientCallFn;

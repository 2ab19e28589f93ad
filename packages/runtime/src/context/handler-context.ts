import type { Metadata } from "../metadata/metadata.js";
import type { MethodDescriptor } from "../method/method-descriptor.js";

/**
 * What a handler knows about the call it serves. Pass it as `parent` to the calls it
 * makes, so they inherit its metadata, remaining deadline and cancellation.
 */
export interface HandlerContext {
  /** The registered service name serving the call, e.g. `greeter`. */
  readonly service: string;
  readonly method: MethodDescriptor;
  /** Incoming request metadata (lower-case keys). */
  readonly metadata: Metadata;
  /** Absolute deadline in epoch milliseconds, when the caller set one. */
  readonly deadline: number | undefined;
  /**
   * Aborted when the caller cancels, the deadline passes, or the server stops hard. A getter
   * (made on first read): a wrapper that copies the context with `{ ...context }` must copy
   * `signal: context.signal` by name.
   */
  readonly signal: AbortSignal;
  /** Metadata sent back to the caller as response headers; handlers may add to it. */
  readonly responseMetadata: Metadata;
}

/** What a subscriber knows about a delivered message. */
export interface MessageContext {
  readonly topic: string;
  /** Headers the publisher attached (content type, message id, propagated metadata). */
  readonly metadata: Metadata;
}

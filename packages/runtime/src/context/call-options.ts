import type { Metadata } from "../metadata/metadata.js";

/**
 * What a nested call takes over from the call it is made for: the handler's
 * `HandlerContext` (or a subscriber's `MessageContext`) fits as it is. Passed as
 * `parent`, like grpc-js's `parent` option and Go's `ctx`: explicit, so no async hooks
 * are needed to find it (AsyncLocalStorage costs every promise and socket in the process
 * on Node 20).
 */
export interface CallParent {
  /** Propagated as the call's metadata; its own `metadata` is added on top. */
  readonly metadata: Readonly<Metadata>;
  /** The parent's deadline bounds the call's own budget. */
  readonly deadline?: number | undefined;
  /** The parent being cancelled cancels the call. */
  readonly signal?: AbortSignal | undefined;
}

/** Per-call settings; each one falls back to the client's options, then to the defaults. */
export interface CallOptions {
  /**
   * The handler context this call is made from: the call inherits its metadata, its
   * remaining deadline and its cancellation. Without it the call starts fresh.
   */
  readonly parent?: CallParent;
  /** Time budget in milliseconds for the whole call, retries included. */
  readonly timeout?: number;
  /** Absolute deadline (epoch ms or Date); the earlier of this and `timeout` wins. */
  readonly deadline?: number | Date;
  /** Sent as request metadata, on top of the metadata inherited from `parent`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Cancels the call; the server's handler sees its own signal abort. */
  readonly signal?: AbortSignal;
  /** Attempts after the first on a retryable error; 0 disables retries. */
  readonly retries?: number;
  /** Call this node address directly instead of looking the service up. */
  readonly address?: string;
  /** Receives the response metadata (headers) of a unary call. */
  readonly onResponseMetadata?: (metadata: Metadata) => void;
}

/** Per-publish settings. */
export interface PublishOptions {
  /** The handler or subscriber context the message is published from: its metadata goes along. */
  readonly parent?: Pick<CallParent, "metadata">;
  /** Extra headers delivered with the message to subscribers. */
  readonly metadata?: Readonly<Record<string, string>>;
}

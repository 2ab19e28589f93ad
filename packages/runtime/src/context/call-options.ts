import type { Metadata } from "../metadata/metadata.js";

/** Per-call settings; each one falls back to the client's options, then to the defaults. */
export interface CallOptions {
  /** Time budget in milliseconds for the whole call, retries included. */
  readonly timeout?: number;
  /** Absolute deadline (epoch ms or Date); the earlier of this and `timeout` wins. */
  readonly deadline?: number | Date;
  /** Sent as request metadata, on top of metadata propagated from the current handler. */
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
  /** Extra headers delivered with the message to subscribers. */
  readonly metadata?: Readonly<Record<string, string>>;
}

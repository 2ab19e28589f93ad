import { type MsgHdrs, headers } from "@nats-io/transport-node";
import { MicroError } from "../errors/micro-error.js";
import type { Metadata } from "../metadata/metadata.js";

// The NATS transport's wire: control data travels in NATS headers, messages in the body
// (proto-encoded). Metadata is one JSON header, so any string value survives (NATS header
// values cannot hold line breaks).

/** What a message is: a unary request, a stream's open/ready/msg/end/error/cancel. */
export const KIND = "Micro-Kind";
export const PATH = "Micro-Path";
export const DEADLINE = "Micro-Deadline";
export const METADATA = "Micro-Metadata";
export const ERROR = "Micro-Error";
/** Id of a cancellable unary call, named again by its cancel message. */
export const CALL_ID = "Micro-Call";
/** Messages of a stream the receiver has consumed so far: the sender's credit. */
export const ACK = "Micro-Ack";
/** Set to `json` by a client that sends and expects JSON (no header: protobuf). */
export const CODEC = "Micro-Codec";

export type WireKind = "unary" | "open" | "ready" | "msg" | "end" | "error" | "cancel" | "ack";

/**
 * Messages a stream's sender may have in flight beyond what the receiver consumed; the
 * receiver acknowledges every half window. This is the streams' backpressure.
 */
export const STREAM_WINDOW = 32;

/** The sending half of a stream's flow control. */
export interface SendWindow {
  /** Resolves when another message may be sent; counts it as sent. */
  acquire(): Promise<void>;
  /** Records the receiver's consumed count from an `ack`. */
  ack(consumed: number): void;
  /** Releases a waiting sender for good (the stream ended). */
  close(): void;
}

/** Creates the sending half of flow control. */
export function createSendWindow(size = STREAM_WINDOW): SendWindow {
  let sent = 0;
  let consumed = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  return {
    async acquire() {
      while (!closed && sent - consumed >= size) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      sent++;
    },
    ack(count) {
      if (count > consumed) consumed = count;
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
  };
}

/** Counts consumed messages and says when to acknowledge (every half window). */
export function createAckCounter(send: (consumed: number) => void, size = STREAM_WINDOW) {
  let consumed = 0;
  return () => {
    consumed++;
    if (consumed % Math.max(1, size / 2) === 0) send(consumed);
  };
}

/** Builds the headers of one message. */
export function wireHeaders(
  kind: WireKind,
  fields: {
    path?: string;
    deadline?: number;
    metadata?: Metadata;
    error?: MicroError;
    ack?: number;
    callId?: string;
  } = {},
): MsgHdrs {
  const h = headers();
  h.set(KIND, kind);
  if (fields.ack !== undefined) h.set(ACK, String(fields.ack));
  if (fields.callId !== undefined) h.set(CALL_ID, fields.callId);
  if (fields.path !== undefined) h.set(PATH, fields.path);
  if (fields.deadline !== undefined) h.set(DEADLINE, String(fields.deadline));
  if (fields.metadata !== undefined && Object.keys(fields.metadata).length > 0) {
    h.set(METADATA, JSON.stringify(fields.metadata));
  }
  if (fields.error !== undefined) h.set(ERROR, JSON.stringify(fields.error.toJSON()));
  return h;
}

/** Metadata of a message; malformed JSON counts as none rather than failing the call. */
export function readMetadata(h: MsgHdrs | undefined): Metadata {
  const text = h?.get(METADATA);
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null) return {};
    const out: Metadata = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "string") out[key.toLowerCase()] = item;
    }
    return out;
  } catch {
    return {};
  }
}

/** The error a message carries, if any. */
export function readError(h: MsgHdrs | undefined): MicroError | undefined {
  const text = h?.get(ERROR);
  if (!text) return undefined;
  return MicroError.parse(text) ?? new MicroError("micro.client", 502, `malformed error: ${text}`);
}

/** The deadline a request carries (epoch ms), if any. */
export function readDeadline(h: MsgHdrs | undefined): number | undefined {
  const text = h?.get(DEADLINE);
  const value = text ? Number(text) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** A push-fed async iterable: the stream of messages one side receives. */
export interface MessageQueue<T> extends AsyncIterable<T> {
  push(item: T): void;
  end(error?: unknown): void;
}

/** Creates an unbounded queue (NATS has no backpressure; its slow-consumer limit bounds it). */
export function createMessageQueue<T>(): MessageQueue<T> {
  const items: T[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  return {
    push(item) {
      if (ended) return;
      items.push(item);
      wake?.();
    },
    end(error) {
      if (ended) return;
      ended = true;
      failure = error;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const item = items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (ended) {
          if (failure !== undefined) throw failure;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
  };
}

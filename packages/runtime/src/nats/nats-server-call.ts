import type { Msg } from "@nats-io/transport-node";
import { timeout } from "../errors/micro-error.js";
import type { Metadata } from "../metadata/metadata.js";
import type { DeadlineWheel, Expirable } from "../transport/deadline-wheel.js";
import type { InboundCall } from "../transport/transport.js";
import { CALL_ID, readDeadline, readMetadata } from "./nats-wire.js";

/**
 * One call a NATS listener serves: the InboundCall its route sees, its reply subject, and
 * its deadline on the listener's wheel. A class with a lazily made AbortController, as
 * one is built per request and most unary handlers never read their signal: the
 * controller and a timer per call were the costliest objects of a NATS call.
 */
export class NatsServerCall implements InboundCall, Expirable {
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly reply: string;
  /** Set when the caller can cancel the call (it sends the id with its cancel). */
  readonly callId: string | undefined;
  #controller: AbortController | undefined;
  #watched = false;
  readonly #deadlines: DeadlineWheel;

  constructor(msg: Msg, deadlines: DeadlineWheel) {
    const headers = msg.headers;
    this.reply = msg.reply as string;
    this.metadata = readMetadata(headers);
    this.deadline = readDeadline(headers);
    this.callId = headers?.get(CALL_ID) || undefined;
    this.#deadlines = deadlines;
    if (this.deadline !== undefined) {
      if (this.deadline <= Date.now()) {
        queueMicrotask(() => this.expire());
      } else {
        deadlines.watch(this.deadline, this);
        this.#watched = true;
      }
    }
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  /** Aborts the handler's signal with `reason` (the first reason wins). */
  abort(reason: unknown): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }

  /** The deadline passed (called by the wheel). */
  expire(): void {
    this.#watched = false;
    this.abort(timeout("micro.server", "deadline exceeded"));
  }

  /** The call ended: its deadline no longer matters. */
  finish(): void {
    if (!this.#watched) return;
    this.#watched = false;
    this.#deadlines.unwatch(this.deadline as number, this);
  }
}

import { type MicroError, canceled, timeout } from "../errors/micro-error.js";
import type { MethodDescriptor } from "../method/method-descriptor.js";
import type { DeadlineWheel, Expirable } from "./deadline-wheel.js";
import type { OutboundCall } from "./transport.js";

/** The local side of a call's deadline and cancellation. */
export interface CallGuard {
  /** Milliseconds left, for `connect-timeout-ms`; undefined without a deadline. */
  readonly timeoutMs: number | undefined;
  /** The error that ended the call early (408 or 499), once it has. */
  readonly reason: MicroError | undefined;
  /**
   * Arms the deadline and the caller's signal: `abort` runs once, with the error, when
   * either fires. A plain callback rather than an AbortController: this runs on every
   * call, and an AbortController costs more than the rest of the guard together.
   */
  watch(abort: (reason: MicroError) => void): void;
  /** Stops watching the deadline and unhooks the caller's signal; call it when the call ends. */
  dispose(): void;
}

/**
 * Enforces the deadline and the caller's signal locally, so a call ends on time even
 * when the server or the network never answers: 408 naming the method at the deadline,
 * 499 when the caller aborts. Throws at once when either has already happened. The
 * client's `deadlines` wheel times the call, so a call costs no timer of its own.
 */
export function guardCall(
  method: MethodDescriptor,
  call: OutboundCall,
  deadlines: DeadlineWheel,
): CallGuard {
  if (call.signal?.aborted) throw cancelled(method);
  let timeoutMs: number | undefined;
  if (call.deadline !== undefined) {
    timeoutMs = Math.ceil(call.deadline - Date.now());
    if (timeoutMs <= 0) throw expired(method);
  }
  return new Guard(method, call, deadlines, timeoutMs);
}

/** A class, not a literal with closures: one is built per call. */
class Guard implements CallGuard, Expirable {
  readonly timeoutMs: number | undefined;
  reason: MicroError | undefined;
  readonly #method: MethodDescriptor;
  readonly #call: OutboundCall;
  readonly #deadlines: DeadlineWheel;
  #abort: ((reason: MicroError) => void) | undefined;
  #onCallerAbort: (() => void) | undefined;

  constructor(
    method: MethodDescriptor,
    call: OutboundCall,
    deadlines: DeadlineWheel,
    timeoutMs: number | undefined,
  ) {
    this.#method = method;
    this.#call = call;
    this.#deadlines = deadlines;
    this.timeoutMs = timeoutMs;
  }

  watch(abort: (reason: MicroError) => void): void {
    this.#abort = abort;
    const { deadline, signal } = this.#call;
    if (deadline !== undefined) this.#deadlines.watch(deadline, this);
    if (signal) {
      this.#onCallerAbort = () => this.#end(cancelled(this.#method));
      signal.addEventListener("abort", this.#onCallerAbort, { once: true });
    }
  }

  /** The deadline passed (called by the wheel). */
  expire(): void {
    this.#end(expired(this.#method));
  }

  dispose(): void {
    if (!this.#abort) return;
    const { deadline, signal } = this.#call;
    if (deadline !== undefined) this.#deadlines.unwatch(deadline, this);
    if (this.#onCallerAbort) signal?.removeEventListener("abort", this.#onCallerAbort);
  }

  #end(reason: MicroError): void {
    if (this.reason) return;
    this.reason = reason;
    this.dispose();
    this.#abort?.(reason);
  }
}

function expired(method: MethodDescriptor): MicroError {
  return timeout("micro.client", `deadline exceeded calling ${method.service}/${method.name}`);
}

function cancelled(method: MethodDescriptor): MicroError {
  return canceled(
    "micro.client",
    `call to ${method.service}/${method.name} canceled by the caller`,
  );
}

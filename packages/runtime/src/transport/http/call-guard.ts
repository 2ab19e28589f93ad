import { type MicroError, canceled, timeout } from "../../errors/micro-error.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import type { OutboundCall } from "../transport.js";

/** setTimeout overflows past this many ms; later deadlines are not enforced locally. */
const MAX_TIMER_MS = 2_147_483_647;

/** The local side of a call's deadline and cancellation. */
export interface CallGuard {
  /** Milliseconds left, for `connect-timeout-ms`; undefined without a deadline. */
  readonly timeoutMs: number | undefined;
  /** The error that ended the call early (408 or 499), once it has. */
  readonly reason: MicroError | undefined;
  /**
   * Arms the deadline timer and the caller's signal: `abort` runs once, with the error,
   * when either fires. A plain callback rather than an AbortController: this runs on
   * every call, and an AbortController costs more than the rest of the guard together.
   */
  watch(abort: (reason: MicroError) => void): void;
  /** Stops the timer and unhooks the caller's signal; call it when the call ends. */
  dispose(): void;
}

/**
 * Enforces the deadline and the caller's signal locally, so a call ends on time even
 * when the server or the network never answers: 408 naming the method at the deadline,
 * 499 when the caller aborts. Throws at once when either has already happened.
 */
export function guardCall(method: MethodDescriptor, call: OutboundCall): CallGuard {
  const callerSignal = call.signal;
  if (callerSignal?.aborted) throw cancelled(method);
  let timeoutMs: number | undefined;
  if (call.deadline !== undefined) {
    timeoutMs = Math.ceil(call.deadline - Date.now());
    if (timeoutMs <= 0) throw expired(method);
  }
  let timer: NodeJS.Timeout | undefined;
  let onCallerAbort: (() => void) | undefined;
  const guard = {
    timeoutMs,
    reason: undefined as MicroError | undefined,
    watch(abort: (reason: MicroError) => void): void {
      const end = (reason: MicroError) => {
        if (guard.reason) return;
        guard.reason = reason;
        guard.dispose();
        abort(reason);
      };
      if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
        timer = setTimeout(() => end(expired(method)), timeoutMs);
      }
      if (callerSignal) {
        onCallerAbort = () => end(cancelled(method));
        callerSignal.addEventListener("abort", onCallerAbort, { once: true });
      }
    },
    dispose(): void {
      if (timer) clearTimeout(timer);
      if (onCallerAbort) callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
  return guard;
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

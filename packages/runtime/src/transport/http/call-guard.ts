import { type MicroError, canceled, timeout } from "../../errors/micro-error.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import type { OutboundCall } from "../transport.js";

/** setTimeout overflows past this many ms; later deadlines are not enforced locally. */
const MAX_TIMER_MS = 2_147_483_647;

/** The local side of a call's deadline and cancellation. */
export interface CallGuard {
  /** Aborts with the MicroError that ends the call (408 or 499); undefined when nothing can. */
  readonly signal: AbortSignal | undefined;
  /** Milliseconds left, for `connect-timeout-ms`; undefined without a deadline. */
  readonly timeoutMs: number | undefined;
  /** Stops the timer and unhooks the caller's signal; call it when the call ends. */
  dispose(): void;
}

/**
 * Enforces the deadline and the caller's signal locally, so a call ends on time even
 * when the server or the network never answers: 408 naming the method at the deadline,
 * 499 when the caller aborts. Throws at once when either has already happened.
 */
export function guardCall(method: MethodDescriptor, call: OutboundCall): CallGuard {
  const name = `${method.service}/${method.name}`;
  const expired = (): MicroError => timeout("micro.client", `deadline exceeded calling ${name}`);
  const cancelled = (): MicroError =>
    canceled("micro.client", `call to ${name} canceled by the caller`);
  if (call.signal?.aborted) throw cancelled();
  let timeoutMs: number | undefined;
  if (call.deadline !== undefined) {
    timeoutMs = Math.ceil(call.deadline - Date.now());
    if (timeoutMs <= 0) throw expired();
  }
  if (timeoutMs === undefined && !call.signal) {
    return { signal: undefined, timeoutMs, dispose: () => undefined };
  }
  const controller = new AbortController();
  const timer =
    timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS
      ? setTimeout(() => controller.abort(expired()), timeoutMs)
      : undefined;
  const callerSignal = call.signal;
  const onCallerAbort = () => controller.abort(cancelled());
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timeoutMs,
    dispose() {
      if (timer) clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

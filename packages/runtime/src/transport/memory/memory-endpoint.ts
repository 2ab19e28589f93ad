import { createProtoCodec } from "../../codec/proto-codec.js";
import {
  type MicroError,
  canceled,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  timeout,
} from "../../errors/micro-error.js";
import { normalizeMetadata } from "../../metadata/metadata.js";
import type { MessageType } from "../../method/method-descriptor.js";
import type { InboundCall, OutboundCall, Route, Router } from "../transport.js";

/** setTimeout overflows past this many ms; later deadlines are left to the caller's own timer. */
const MAX_TIMER_MS = 2_147_483_647;

/** One accepted call as both of its ends see it. */
export interface MemoryCall {
  readonly route: Route;
  /** What the handler sees: copied metadata, the deadline, the server-side signal. */
  readonly inbound: InboundCall;
  /** Aborts with the `MicroError` that ended the call (cancel, deadline, limit, forced close). */
  readonly signal: AbortSignal;
  /** Ends the call early with `reason`; both ends observe it through `signal`. */
  cancel(reason: MicroError): void;
  /** Stops tracking the call as in-flight; calling it twice is harmless. */
  finish(): void;
}

/**
 * The server side of one memory listener: admits calls (503 while closing, 404 for an
 * unknown path), moves messages through the proto codec with the size limit, and tracks
 * in-flight calls so `close` can drain them.
 */
export interface MemoryEndpoint {
  readonly address: string;
  /** Starts a call, or throws the `MicroError` a network server would answer with. */
  open(path: string, call: OutboundCall): MemoryCall;
  /**
   * Encodes `message` as `from`, enforces the limit, decodes it as `to`: the same bytes a
   * socket would carry, so a codec or descriptor mismatch fails here as it would on a wire.
   */
  transfer<A, B>(message: A, from: MessageType<A>, to: MessageType<B>, what: string): B;
  close(timeoutMs: number): Promise<void>;
}

/** Settings of one listener. */
export interface MemoryEndpointOptions {
  readonly address: string;
  readonly router: Router;
  readonly maxMessageBytes: number;
  /** Called once the endpoint has closed, so the transport forgets the address. */
  readonly onClosed: () => void;
}

const codec = createProtoCodec();

/** Creates the endpoint behind one `listen` of a memory transport. */
export function createMemoryEndpoint(options: MemoryEndpointOptions): MemoryEndpoint {
  const { address, router, maxMessageBytes, onClosed } = options;
  const inFlight = new Set<MemoryCall>();
  let closing = false;
  let closed: Promise<void> | undefined;
  let wakeDrained: (() => void) | undefined;

  function open(path: string, call: OutboundCall): MemoryCall {
    if (closing) throw serviceUnavailable("micro.server", `${address} is shutting down`);
    const route = router.route(path);
    if (!route) throw notFound("micro.server", `unknown method ${path} at ${address}`);
    if (call.signal?.aborted) throw canceled("micro.client", "call cancelled by the caller");
    const remaining = call.deadline === undefined ? undefined : call.deadline - Date.now();
    if (remaining !== undefined && remaining <= 0) {
      throw timeout("micro.client", `deadline exceeded before calling ${path}`);
    }

    const controller = new AbortController();
    const onCallerAbort = () => cancel(canceled("micro.client", "call cancelled by the caller"));
    call.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const timer =
      remaining !== undefined && remaining <= MAX_TIMER_MS
        ? setTimeout(
            () => cancel(timeout("micro.client", `deadline exceeded calling ${path}`)),
            remaining,
          )
        : undefined;

    function cancel(reason: MicroError): void {
      if (!controller.signal.aborted) controller.abort(reason);
    }

    const accepted: MemoryCall = {
      route,
      inbound: {
        metadata: normalizeMetadata(call.metadata),
        deadline: call.deadline,
        signal: controller.signal,
      },
      signal: controller.signal,
      cancel,
      finish() {
        if (!inFlight.delete(accepted)) return;
        clearTimeout(timer);
        call.signal?.removeEventListener("abort", onCallerAbort);
        if (inFlight.size === 0) wakeDrained?.();
      },
    };
    inFlight.add(accepted);
    return accepted;
  }

  function transfer<A, B>(message: A, from: MessageType<A>, to: MessageType<B>, what: string): B {
    const bytes = codec.encode(message, from);
    if (bytes.byteLength > maxMessageBytes) {
      throw payloadTooLarge(
        "micro.server",
        `${what} message of ${bytes.byteLength} bytes exceeds the limit of ${maxMessageBytes}`,
      );
    }
    return codec.decode(bytes, to);
  }

  async function drainAndStop(timeoutMs: number): Promise<void> {
    closing = true;
    if (inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        wakeDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const stopped = serviceUnavailable(
      "micro.server",
      `${address} stopped before the call finished`,
    );
    for (const call of [...inFlight]) {
      call.cancel(stopped);
      call.finish();
    }
    onClosed();
  }

  return {
    address,
    open,
    transfer,
    close: (timeoutMs) => (closed ??= drainAndStop(timeoutMs)),
  };
}

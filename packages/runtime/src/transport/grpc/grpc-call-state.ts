import type { Metadata as GrpcMetadata, StatusObject } from "@grpc/grpc-js";
import type { MicroError } from "../../errors/micro-error.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import { type CallGuard, guardCall } from "../call-guard.js";
import type { DeadlineWheel } from "../deadline-wheel.js";
import type { OutboundCall } from "../transport.js";
import { fromGrpcMetadata } from "./grpc-metadata.js";
import { fromGrpcStatus, isGrpcStatus } from "./grpc-status.js";

/** The grpc-js client call surface the state needs: events and `cancel()`. */
export interface CancellableCall {
  on(event: "metadata", listener: (metadata: GrpcMetadata) => void): unknown;
  on(event: "status", listener: (status: StatusObject) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  cancel(): void;
}

/**
 * Follows one outgoing grpc-js call: enforces its deadline and the caller's AbortSignal
 * locally (the client's deadline wheel times it, so grpc-js gets no deadline and arms no
 * timer of its own: that cost about a quarter of a unary call's client CPU), remembers
 * headers and the final status, hands the response metadata to the caller once, and turns
 * whatever ended the call into the MicroError the caller should see. Throws at once when
 * the deadline already passed or the signal already fired.
 */
export class GrpcCallState {
  readonly #call: OutboundCall;
  readonly #guard: CallGuard;
  #grpcCall: CancellableCall | undefined;
  #headers: GrpcMetadata | undefined;
  #status: StatusObject | undefined;
  #abandoned = false;
  #requestFailure: MicroError | undefined;
  #reported = false;
  readonly #onGuard = () => this.#grpcCall?.cancel();

  constructor(method: MethodDescriptor, call: OutboundCall, deadlines: DeadlineWheel) {
    this.#call = call;
    this.#guard = guardCall(method, call, deadlines);
  }

  /**
   * Milliseconds left when the call starts, for the `grpc-timeout` header; undefined
   * without a deadline.
   */
  get timeoutMs(): number | undefined {
    return this.#guard.timeoutMs;
  }

  /**
   * Starts following `grpcCall`; call right after creating it. `follow` false skips the
   * event listeners (a unary call without a metadata callback learns its end from the
   * grpc-js callback and must then call `finish()`).
   */
  attach(grpcCall: CancellableCall, follow = true): void {
    this.#grpcCall = grpcCall;
    this.#guard.watch(this.#onGuard);
    if (!follow) return;
    // Failures are read from the status; without a listener a late `error` event (after the
    // caller stopped reading) would be thrown as an unhandled error.
    grpcCall.on("error", () => undefined);
    if (this.#call.onResponseMetadata)
      grpcCall.on("metadata", (headers) => (this.#headers = headers));
    grpcCall.on("status", (status) => {
      this.#status = status;
      this.#guard.dispose();
      this.#report();
    });
  }

  /** True once the server's (or grpc-js's) final status arrived. */
  get finished(): boolean {
    return this.#status !== undefined;
  }

  /** The call ended: stop watching its deadline and the caller's signal. */
  finish(): void {
    this.#guard.dispose();
  }

  /** The request stream failed: cancel the call and make its error the one surfaced. */
  failRequests(error: MicroError): void {
    this.#requestFailure ??= error;
    this.#grpcCall?.cancel();
  }

  /** Cancels a call the caller abandoned (stopped reading) before it finished. */
  abandon(): void {
    if (this.#status === undefined) {
      this.#abandoned = true;
      this.#grpcCall?.cancel();
    }
    this.#guard.dispose();
  }

  /** The MicroError for `error` thrown by grpc-js (a status object) or anything else. */
  toMicroError(error: unknown): MicroError {
    if (this.#requestFailure) return this.#requestFailure;
    // The deadline passed (408) or the caller aborted (499): this side cancelled the call.
    if (this.#guard.reason) return this.#guard.reason;
    const status = isGrpcStatus(error) ? error : { code: 13, details: String(error) };
    return fromGrpcStatus(status, !this.#abandoned);
  }

  /** Calls `onResponseMetadata` once: headers plus trailers, when the server answered. */
  #report(): void {
    const onResponseMetadata = this.#call.onResponseMetadata;
    if (!onResponseMetadata || this.#reported || !this.#status) return;
    this.#reported = true;
    const metadata = fromGrpcMetadata(this.#status.metadata, fromGrpcMetadata(this.#headers));
    if (this.#status.code === 0 || Object.keys(metadata).length > 0) onResponseMetadata(metadata);
  }
}

import type { Metadata as GrpcMetadata, StatusObject } from "@grpc/grpc-js";
import { type MicroError, canceled } from "../../errors/micro-error.js";
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
 * Follows one outgoing grpc-js call: wires the caller's AbortSignal to `cancel()`,
 * remembers headers and the final status, hands the response metadata to the caller
 * once, and turns whatever ended the call into the MicroError the caller should see.
 */
export class GrpcCallState {
  readonly #call: OutboundCall;
  #grpcCall: CancellableCall | undefined;
  #headers: GrpcMetadata | undefined;
  #status: StatusObject | undefined;
  #cancelledByCaller = false;
  #requestFailure: MicroError | undefined;
  #reported = false;
  readonly #onAbort = () => {
    this.#cancelledByCaller = true;
    this.#grpcCall?.cancel();
  };

  constructor(call: OutboundCall) {
    this.#call = call;
  }

  /** Starts following `grpcCall`; call right after creating it. */
  attach(grpcCall: CancellableCall): void {
    this.#grpcCall = grpcCall;
    // Failures are read from the status; without a listener a late `error` event (after the
    // caller stopped reading) would be thrown as an unhandled error.
    grpcCall.on("error", () => undefined);
    if (this.#call.onResponseMetadata)
      grpcCall.on("metadata", (headers) => (this.#headers = headers));
    grpcCall.on("status", (status) => {
      this.#status = status;
      this.#call.signal?.removeEventListener("abort", this.#onAbort);
      this.#report();
    });
    this.#call.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** True once the server's (or grpc-js's) final status arrived. */
  get finished(): boolean {
    return this.#status !== undefined;
  }

  /** The request stream failed: cancel the call and make its error the one surfaced. */
  failRequests(error: MicroError): void {
    this.#requestFailure ??= error;
    this.#grpcCall?.cancel();
  }

  /** Cancels a call the caller abandoned (stopped reading) before it finished. */
  abandon(): void {
    if (this.#status === undefined) {
      this.#cancelledByCaller = true;
      this.#grpcCall?.cancel();
    }
    this.#call.signal?.removeEventListener("abort", this.#onAbort);
  }

  /** The MicroError for `error` thrown by grpc-js (a status object) or anything else. */
  toMicroError(error: unknown): MicroError {
    if (this.#requestFailure) return this.#requestFailure;
    if (this.#cancelledByCaller && this.#call.signal?.aborted) {
      return canceled("micro.client", "call cancelled by the caller");
    }
    const status = isGrpcStatus(error) ? error : { code: 13, details: String(error) };
    return fromGrpcStatus(status, !this.#cancelledByCaller);
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

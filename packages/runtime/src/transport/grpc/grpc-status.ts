import { type Metadata as GrpcMetadata, status as GrpcStatus } from "@grpc/grpc-js";
import { MicroError } from "../../errors/micro-error.js";
import { statusForCode, statusForGrpcCode } from "../../errors/status-codes.js";
import { MICRO_ERROR_TRAILER, asciiJson } from "./grpc-metadata.js";

/** The parts of a gRPC status that errors travel in, on both sides of grpc-js. */
export interface GrpcErrorStatus {
  code: number;
  details: string;
  metadata: GrpcMetadata;
}

/**
 * A server-side failure as a gRPC status: the code from the shared table so any gRPC
 * client understands it, the detail as the message, and the MicroError's JSON in the
 * `micro-error` trailer so micro clients get back exactly what the handler threw.
 */
export function toGrpcStatus(error: unknown, trailers: GrpcMetadata): GrpcErrorStatus {
  const micro = MicroError.from(error);
  trailers.set(MICRO_ERROR_TRAILER, asciiJson(micro.toJSON()));
  return { code: statusForCode(micro.code).grpc, details: micro.detail, metadata: trailers };
}

/** Whether `value` looks like the status object grpc-js reports failures with. */
export function isGrpcStatus(value: unknown): value is Partial<GrpcErrorStatus> & { code: number } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "number"
  );
}

/**
 * A failed call's status as a MicroError: the `micro-error` trailer when a micro server
 * sent one, otherwise the table's mapping. UNAVAILABLE (connection refused, server
 * draining) becomes a 503 from `micro.client`, which the client layer retries elsewhere.
 * `peerCancelled` marks a CANCELLED the caller did not ask for: the server went away
 * mid-call (forced shutdown), which is also a 503.
 */
export function fromGrpcStatus(
  status: Partial<GrpcErrorStatus> & { code: number },
  peerCancelled: boolean,
): MicroError {
  const trailer = status.metadata?.get(MICRO_ERROR_TRAILER)[0];
  if (typeof trailer === "string") {
    const parsed = MicroError.parse(trailer);
    if (parsed) return parsed;
  }
  const details = status.details ?? "";
  if (status.code === GrpcStatus.UNAVAILABLE) {
    return new MicroError("micro.client", 503, details || "service unavailable");
  }
  if (status.code === GrpcStatus.CANCELLED && peerCancelled) {
    return new MicroError("micro.client", 503, `the server ended the call: ${details}`);
  }
  return new MicroError("micro.client", statusForGrpcCode(status.code).code, details);
}

import { Metadata as GrpcMetadata } from "@grpc/grpc-js";
import { badRequest } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";

/** The trailer carrying a `MicroError`'s JSON, so micro clients rebuild it exactly. */
export const MICRO_ERROR_TRAILER = "micro-error";

/**
 * Keys that belong to the gRPC/HTTP2 protocol rather than to the application: they are
 * never handed to handlers or callers, and never propagated to outgoing calls.
 */
function isProtocolKey(key: string): boolean {
  return (
    key.startsWith("grpc-") ||
    key.startsWith(":") ||
    key === "content-type" ||
    key === "content-length" ||
    key === "accept-encoding" ||
    key === "te" ||
    key === "host" ||
    key === "user-agent" ||
    key === "date" ||
    key === MICRO_ERROR_TRAILER
  );
}

/**
 * Micro metadata as gRPC metadata. `-bin` keys carry base64 text on the micro side and
 * bytes on the wire, as gRPC requires. A key or value gRPC cannot carry (non-ASCII, upper
 * case, control characters) is a 400 naming the key, rather than grpc-js's generic throw.
 */
export function toGrpcMetadata(metadata: Readonly<Metadata>, id: string): GrpcMetadata {
  return fill(new GrpcMetadata(), metadata, id);
}

/**
 * An outgoing call's metadata, with its remaining budget as the `grpc-timeout` header
 * when it has one, so any gRPC server sees the deadline. The micro client enforces the
 * deadline itself rather than handing it to grpc-js, which would arm a timer per call.
 */
export function toGrpcRequestMetadata(
  metadata: Readonly<Metadata>,
  id: string,
  timeoutMs: number | undefined,
): GrpcMetadata {
  const out = fill(new RequestMetadata(), metadata, id);
  if (timeoutMs !== undefined) out.setTimeout(timeoutMs);
  return out;
}

/** grpc-js keeps `grpc-` keys for itself; this subclass may write the one it would write. */
class RequestMetadata extends GrpcMetadata {
  setTimeout(ms: number): void {
    this.internalRepr.set("grpc-timeout", [grpcTimeout(ms)]);
  }
}

/** A timeout in the header's format: at most eight digits and a unit (m, S, M or H). */
export function grpcTimeout(ms: number): string {
  const units: readonly [string, number][] = [
    ["m", 1],
    ["S", 1_000],
    ["M", 60_000],
    ["H", 3_600_000],
  ];
  for (const [unit, size] of units) {
    const value = Math.ceil(ms / size);
    if (value < 100_000_000) return `${Math.max(1, value)}${unit}`;
  }
  return "99999999H";
}

function fill<T extends GrpcMetadata>(out: T, metadata: Readonly<Metadata>, id: string): T {
  for (const key of Object.keys(metadata)) {
    const value = metadata[key] as string;
    try {
      out.set(key, key.endsWith("-bin") ? Buffer.from(value, "base64") : value);
    } catch (error) {
      throw badRequest(
        id,
        `metadata ${JSON.stringify(key)} cannot be sent over gRPC: ${(error as Error).message}`,
      );
    }
  }
  return out;
}

/** gRPC metadata as micro metadata: lower-case keys, protocol keys dropped, `-bin` as base64. */
export function fromGrpcMetadata(
  metadata: GrpcMetadata | undefined | null,
  into: Metadata = {},
): Metadata {
  if (!metadata) return into;
  const map = metadata.getMap();
  for (const key of Object.keys(map)) {
    if (isProtocolKey(key)) continue;
    const value = map[key] as string | Buffer;
    into[key] = typeof value === "string" ? value : value.toString("base64");
  }
  return into;
}

/** JSON with every non-printable-ASCII character escaped, as gRPC header values must be. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

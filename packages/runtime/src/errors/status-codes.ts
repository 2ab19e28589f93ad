/**
 * One table maps micro's HTTP-style codes to Connect codes and gRPC status numbers, so
 * every transport translates errors the same way in both directions.
 */
export interface StatusMapping {
  readonly code: number;
  readonly status: string;
  readonly connect: string;
  readonly grpc: number;
}

/** Ordered so that the first row for a Connect or gRPC code is the one we map back to. */
export const STATUS_MAPPINGS: readonly StatusMapping[] = [
  { code: 400, status: "Bad Request", connect: "invalid_argument", grpc: 3 },
  { code: 401, status: "Unauthorized", connect: "unauthenticated", grpc: 16 },
  { code: 403, status: "Forbidden", connect: "permission_denied", grpc: 7 },
  { code: 404, status: "Not Found", connect: "not_found", grpc: 5 },
  { code: 408, status: "Request Timeout", connect: "deadline_exceeded", grpc: 4 },
  { code: 409, status: "Conflict", connect: "already_exists", grpc: 6 },
  { code: 412, status: "Precondition Failed", connect: "failed_precondition", grpc: 9 },
  { code: 413, status: "Payload Too Large", connect: "resource_exhausted", grpc: 8 },
  { code: 429, status: "Too Many Requests", connect: "resource_exhausted", grpc: 8 },
  { code: 499, status: "Client Closed Request", connect: "canceled", grpc: 1 },
  { code: 500, status: "Internal Server Error", connect: "internal", grpc: 13 },
  { code: 501, status: "Not Implemented", connect: "unimplemented", grpc: 12 },
  { code: 502, status: "Bad Gateway", connect: "unavailable", grpc: 14 },
  { code: 503, status: "Service Unavailable", connect: "unavailable", grpc: 14 },
  { code: 504, status: "Gateway Timeout", connect: "deadline_exceeded", grpc: 4 },
  { code: 409, status: "Conflict", connect: "aborted", grpc: 10 },
  { code: 400, status: "Bad Request", connect: "out_of_range", grpc: 11 },
  { code: 500, status: "Internal Server Error", connect: "data_loss", grpc: 15 },
  { code: 500, status: "Internal Server Error", connect: "unknown", grpc: 2 },
];

const byCode = new Map<number, StatusMapping>();
const byConnect = new Map<string, StatusMapping>();
const byGrpc = new Map<number, StatusMapping>();
for (const row of STATUS_MAPPINGS) {
  if (!byCode.has(row.code)) byCode.set(row.code, row);
  if (!byConnect.has(row.connect)) byConnect.set(row.connect, row);
  if (!byGrpc.has(row.grpc)) byGrpc.set(row.grpc, row);
}
const INTERNAL = byCode.get(500) as StatusMapping;

/** The row for a micro code; unknown 4xx map like 400 and anything else like 500. */
export function statusForCode(code: number): StatusMapping {
  return (
    byCode.get(code) ?? (code >= 400 && code < 500 ? (byCode.get(400) as StatusMapping) : INTERNAL)
  );
}

/** The row for a Connect error code such as `not_found`. */
export function statusForConnectCode(connect: string): StatusMapping {
  return byConnect.get(connect) ?? INTERNAL;
}

/** The row for a gRPC status number such as 5 (NOT_FOUND). */
export function statusForGrpcCode(grpc: number): StatusMapping {
  return byGrpc.get(grpc) ?? INTERNAL;
}

/**
 * HTTP status of a Connect unary error response, per the Connect protocol's table
 * (not the micro code: `unavailable` is 503 there, `deadline_exceeded` is 504).
 */
export function httpStatusForConnectCode(connect: string): number {
  switch (connect) {
    case "canceled":
      return 499;
    case "invalid_argument":
    case "out_of_range":
    case "failed_precondition":
      return 400;
    case "deadline_exceeded":
      return 504;
    case "not_found":
      return 404;
    case "already_exists":
    case "aborted":
      return 409;
    case "permission_denied":
      return 403;
    case "resource_exhausted":
      return 429;
    case "unimplemented":
      return 501;
    case "unavailable":
      return 503;
    case "unauthenticated":
      return 401;
    default:
      return 500;
  }
}

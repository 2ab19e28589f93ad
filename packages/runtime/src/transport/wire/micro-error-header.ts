import { MicroError } from "../../errors/micro-error.js";

/**
 * Header (or trailer) carrying the exact micro error JSON next to the protocol's own
 * status, so micro clients round-trip `{id, code, detail, status}` while other clients
 * still see a standard Connect or gRPC code.
 */
export const MICRO_ERROR_HEADER = "micro-error";

/**
 * The error as header-safe JSON: `JSON.stringify` already escapes control characters,
 * and everything outside printable ASCII becomes `\uXXXX`, which HTTP headers accept and
 * `JSON.parse` restores.
 */
export function encodeMicroErrorHeader(error: MicroError): string {
  return JSON.stringify(error.toJSON()).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The error a `micro-error` value describes, or undefined when it is not one. */
export function decodeMicroErrorHeader(
  value: string | string[] | undefined,
): MicroError | undefined {
  if (value === undefined) return undefined;
  return MicroError.parse(Array.isArray(value) ? (value[0] ?? "") : value);
}

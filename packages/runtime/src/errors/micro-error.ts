import { statusForCode } from "./status-codes.js";

/** The JSON shape of a micro error, identical to go-micro's, so tools of both interoperate. */
export interface MicroErrorJson {
  id: string;
  code: number;
  detail: string;
  status: string;
}

/**
 * An error that crosses service boundaries: `id` names where it arose (usually the
 * service), `code` is an HTTP status, `detail` is for humans, `status` is the code's text.
 */
export class MicroError extends Error {
  readonly id: string;
  readonly code: number;
  readonly detail: string;
  readonly status: string;

  constructor(id: string, code: number, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = "MicroError";
    this.id = id;
    this.code = code;
    this.detail = detail;
    this.status = statusForCode(code).status;
  }

  toJSON(): MicroErrorJson {
    return { id: this.id, code: this.code, detail: this.detail, status: this.status };
  }

  /** Any thrown value as a MicroError: micro errors pass through, others become 500s. */
  static from(error: unknown, id = "micro.server"): MicroError {
    if (error instanceof MicroError) return error;
    if (error instanceof Error) return new MicroError(id, 500, error.message, { cause: error });
    return new MicroError(id, 500, String(error));
  }

  /** Parses the JSON form; returns undefined for anything that is not a micro error. */
  static parse(text: string): MicroError | undefined {
    try {
      const value = JSON.parse(text) as Partial<MicroErrorJson>;
      if (typeof value?.code !== "number" || typeof value.detail !== "string") return undefined;
      return new MicroError(String(value.id ?? ""), value.code, value.detail);
    } catch {
      return undefined;
    }
  }
}

/** 400: the request was malformed or failed validation; never retried. */
export const badRequest = (id: string, detail: string) => new MicroError(id, 400, detail);
/** 401: the caller did not authenticate. */
export const unauthorized = (id: string, detail: string) => new MicroError(id, 401, detail);
/** 403: the caller is not allowed to do this. */
export const forbidden = (id: string, detail: string) => new MicroError(id, 403, detail);
/** 404: no such service, endpoint or resource. */
export const notFound = (id: string, detail: string) => new MicroError(id, 404, detail);
/** 408: the deadline passed before a reply. */
export const timeout = (id: string, detail: string) => new MicroError(id, 408, detail);
/** 409: the request conflicts with the current state. */
export const conflict = (id: string, detail: string) => new MicroError(id, 409, detail);
/** 413: the message is larger than the configured limit. */
export const payloadTooLarge = (id: string, detail: string) => new MicroError(id, 413, detail);
/** 429: the caller is being rate-limited or a resource is exhausted. */
export const tooManyRequests = (id: string, detail: string) => new MicroError(id, 429, detail);
/** 499: the caller cancelled the call. */
export const canceled = (id: string, detail: string) => new MicroError(id, 499, detail);
/** 500: a bug or unexpected failure in the handler; not retried (it may not be idempotent). */
export const internalServerError = (id: string, detail: string) => new MicroError(id, 500, detail);
/** 501: the method exists in the contract but has no implementation yet. */
export const notImplemented = (id: string, detail: string) => new MicroError(id, 501, detail);
/** 502: an upstream answered with something that is not a valid reply. */
export const badGateway = (id: string, detail: string) => new MicroError(id, 502, detail);
/** 503: no node could take the call (connection refused, draining, none registered). */
export const serviceUnavailable = (id: string, detail: string) => new MicroError(id, 503, detail);
/** 504: an upstream did not answer in time. */
export const gatewayTimeout = (id: string, detail: string) => new MicroError(id, 504, detail);

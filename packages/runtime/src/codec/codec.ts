import type { MessageType } from "../method/method-descriptor.js";

/**
 * Turns messages into bytes and back. Transports pick a codec by content type, so a
 * service answers proto and JSON clients alike without knowing which it serves.
 */
export interface Codec {
  /** Short name used in Connect/gRPC content types: `proto` or `json`. */
  readonly name: string;
  /** Content type of a unary body, e.g. `application/proto`. */
  readonly contentType: string;
  encode<T>(message: T, type: MessageType<T>): Uint8Array;
  /** Throws a `MicroError` 400 when the bytes are not a valid message of the type. */
  decode<T>(bytes: Uint8Array, type: MessageType<T>): T;
}

import { badRequest } from "../errors/micro-error.js";
import type { MessageType } from "../method/method-descriptor.js";
import type { Codec } from "./codec.js";

/** Binary protobuf through ts-proto's own `encode`/`decode`: the compact default on the wire. */
export function createProtoCodec(): Codec {
  return {
    name: "proto",
    contentType: "application/proto",
    encode<T>(message: T, type: MessageType<T>): Uint8Array {
      return type.encode(message).finish();
    },
    decode<T>(bytes: Uint8Array, type: MessageType<T>): T {
      try {
        return type.decode(bytes);
      } catch (error) {
        throw badRequest("micro.codec", `malformed protobuf message: ${(error as Error).message}`);
      }
    },
  };
}

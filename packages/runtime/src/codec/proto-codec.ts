import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { badRequest } from "../errors/micro-error.js";
import type { MessageType } from "../method/method-descriptor.js";
import type { Codec } from "./codec.js";

/** Binary protobuf through ts-proto's own `encode`/`decode`: the compact default on the wire. */
export function createProtoCodec(): Codec {
  // One writer per codec, reused: `finish()` hands out the bytes and resets it, and
  // encoding is synchronous, so calls never interleave. Saves an allocation per message.
  let writer = new BinaryWriter();
  return {
    name: "proto",
    contentType: "application/proto",
    encode<T>(message: T, type: MessageType<T>): Uint8Array {
      try {
        return type.encode(message, writer).finish();
      } catch (error) {
        // A failed encode can leave partial bytes and open forks behind: start afresh.
        writer = new BinaryWriter();
        throw error;
      }
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

import { badRequest } from "../errors/micro-error.js";
import type { MessageType } from "../method/method-descriptor.js";
import type { Codec } from "./codec.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Proto3 JSON through ts-proto's `toJSON`/`fromJSON`, so `curl` and browsers can call a
 * service with plain JSON. A body that is not a JSON object is a 400 naming the problem.
 */
export function createJsonCodec(): Codec {
  return {
    name: "json",
    contentType: "application/json",
    encode<T>(message: T, type: MessageType<T>): Uint8Array {
      if (type.jsonBytes) return message as Uint8Array;
      return encoder.encode(JSON.stringify(type.toJSON(message)));
    },
    decode<T>(bytes: Uint8Array, type: MessageType<T>): T {
      if (type.jsonBytes) return bytes as T;
      let value: unknown;
      try {
        value = bytes.length === 0 ? {} : JSON.parse(decoder.decode(bytes));
      } catch (error) {
        throw badRequest("micro.codec", `malformed JSON body: ${(error as Error).message}`);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw badRequest("micro.codec", "JSON body must be an object matching the request message");
      }
      try {
        return type.fromJSON(value);
      } catch (error) {
        throw badRequest(
          "micro.codec",
          `JSON does not match the message: ${(error as Error).message}`,
        );
      }
    },
  };
}

import type { EndpointSchema, MessageType, MethodDescriptor } from "../method/method-descriptor.js";
import type { Route } from "./api-route.js";
import { responseMessage } from "./request-message.js";

const JSON_ONLY =
  "gateway messages are JSON only; give the gateway a client whose http transport uses codec json";

/**
 * The gateway's messages are UTF-8 JSON bytes (`jsonBytes`): the http transport's JSON
 * codec sends a request body on as it came and hands the service's answer back unparsed,
 * so a relayed call costs no JSON work on the response and none but a validating parse on
 * the request. A codec that ignores the flag still works through `toJSON`/`fromJSON`.
 * Binary encoding needs the proto and is refused.
 */
const jsonBytes: MessageType<Uint8Array> = {
  encode() {
    throw new Error(JSON_ONLY);
  },
  decode() {
    throw new Error(JSON_ONLY);
  },
  fromJSON: (object) => encodeJson(object),
  toJSON: (message) => (message.length === 0 ? {} : JSON.parse(decodeText(message))),
  jsonBytes: true,
};

/** A method descriptor built from registry metadata, for JSON calls carrying bytes. */
export function jsonMethod(endpoint: EndpointSchema): MethodDescriptor<Uint8Array, Uint8Array> {
  const [, service = "", name = endpoint.name] = /^\/([^/]+)\/([^/]+)$/.exec(endpoint.path) ?? [];
  return {
    service,
    name,
    kind: endpoint.kind,
    input: jsonBytes,
    output: jsonBytes,
    endpoint,
  };
}

/** A request message as the bytes `jsonMethod` calls carry. */
export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/**
 * The client's part of a service's JSON answer: the bytes themselves, or with
 * `response_body` the JSON of that field. An empty answer is the empty message.
 */
export function responseJson(route: Route, bytes: Uint8Array): Uint8Array | string {
  if (route.responseBody === undefined) return bytes.length === 0 ? "{}" : bytes;
  const message: unknown = bytes.length === 0 ? {} : JSON.parse(decodeText(bytes));
  return JSON.stringify(responseMessage(route, message) ?? null);
}

/** `responseJson` as text, for stream events. */
export function responseText(route: Route, bytes: Uint8Array): string {
  const json = responseJson(route, bytes);
  return typeof json === "string" ? json : decodeText(json);
}

function decodeText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString();
}

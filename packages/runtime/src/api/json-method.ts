import type { EndpointSchema, MessageType, MethodDescriptor } from "../method/method-descriptor.js";

/**
 * A message type for JSON that passes objects through: the http transport's JSON codec
 * calls `toJSON`/`fromJSON`, so the gateway can call any endpoint knowing only its registry
 * metadata, without the generated code. Binary encoding needs the proto and is refused.
 */
const passThroughJson: MessageType<unknown> = {
  encode() {
    throw new Error(
      "gateway messages are JSON only; give the gateway a client whose http transport uses codec json",
    );
  },
  decode() {
    throw new Error(
      "gateway messages are JSON only; give the gateway a client whose http transport uses codec json",
    );
  },
  fromJSON: (object) => object,
  toJSON: (message) => message,
};

/** A method descriptor built from registry metadata, for JSON calls. */
export function jsonMethod(endpoint: EndpointSchema): MethodDescriptor<unknown, unknown> {
  const [, service = "", name = endpoint.name] = /^\/([^/]+)\/([^/]+)$/.exec(endpoint.path) ?? [];
  return {
    service,
    name,
    kind: endpoint.kind,
    input: passThroughJson,
    output: passThroughJson,
    endpoint,
  };
}

import type { EndpointSchema, MessageType, MethodDescriptor } from "@micro-ts/runtime";

/**
 * A message type for JSON that passes objects through: the http transport's JSON codec
 * calls `toJSON`/`fromJSON`, so the CLI can call any endpoint knowing only its registry
 * metadata, without the generated code. Binary encoding is not possible without the proto.
 */
const passThroughJson: MessageType<unknown> = {
  encode() {
    throw new Error("micro CLI messages are JSON only; use the http transport's json codec");
  },
  decode() {
    throw new Error("micro CLI messages are JSON only; use the http transport's json codec");
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

/** An empty message in both encodings: what a health probe sends. */
const empty: MessageType<Record<string, never>> = {
  encode: () => ({ finish: () => new Uint8Array(0) }),
  decode: () => ({}),
  fromJSON: () => ({}),
  toJSON: () => ({}),
};

/** Name of the service the health probe addresses; no server registers it. */
export const PROBE_SERVICE = "micro.health.v1.Probe";

/**
 * A method no service implements. A node that answers it with "not found" is alive and
 * speaking the protocol, and no handler runs, so probing has no side effects.
 */
export const probeMethod: MethodDescriptor<Record<string, never>, Record<string, never>> = {
  service: PROBE_SERVICE,
  name: "Check",
  kind: "unary",
  input: empty,
  output: empty,
  endpoint: {
    name: "Probe.Check",
    path: `/${PROBE_SERVICE}/Check`,
    kind: "unary",
    request: { type: "google.protobuf.Empty", fields: [] },
    response: { type: "google.protobuf.Empty", fields: [] },
    http: [],
  },
};

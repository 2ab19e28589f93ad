import type { ProjectNames } from "./names.js";
import type { ProtoModel, RpcKind, RpcModel } from "./proto-model.js";

/**
 * The example service a project gets without `--proto`, described as `readProtos` would
 * describe its proto (templates/service/_parts/example.proto.hbs), so no compiler runs for it.
 */
export function exampleModel(names: ProjectNames, protoText: string): ProtoModel {
  const file = `${names.protoPackage}/v1/${names.protoPackage}.proto`;
  const module = file.replace(".proto", "");
  const rpc = (protoName: string, method: string, kind: RpcKind, input: string, output: string) =>
    ({
      protoName,
      method,
      kind,
      input: { name: input, module },
      output: { name: output, module },
    }) satisfies RpcModel;
  return {
    files: new Map([[file, protoText]]),
    services: [
      {
        protoName: names.pascal,
        fullName: `${names.protoPackage}.v1.${names.pascal}`,
        base: names.pascal,
        microModule: `${module}.micro`,
        rpcs: [
          rpc("Call", "call", "unary", "CallRequest", "CallResponse"),
          rpc("Stream", "stream", "server_streaming", "StreamRequest", "StreamResponse"),
          rpc("PingPong", "pingPong", "bidi_streaming", "Ping", "Pong"),
        ],
      },
    ],
    topics: [
      {
        topic: `${names.serviceName}.called`,
        base: "Called",
        message: { name: "Called", module },
        microModule: `${module}.micro`,
      },
    ],
  };
}

// The Echo service as a plain grpc-js service definition (ts-proto serializers, no micro
// code): an independent client for the interop tests and the raw baseline of the bench.
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import type { MessageType, MethodDescriptor } from "../../../src/method/method-descriptor.js";
import { EchoDescriptor } from "../../fixtures/echo-descriptor.js";

function serialize<T>(type: MessageType<T>): (message: T) => Buffer {
  return (message) => Buffer.from(type.encode(message).finish());
}

function definition(method: MethodDescriptor): MethodDefinition<unknown, unknown> {
  return {
    path: method.endpoint.path,
    requestStream: method.kind === "client_streaming" || method.kind === "bidi_streaming",
    responseStream: method.kind === "server_streaming" || method.kind === "bidi_streaming",
    requestSerialize: serialize(method.input),
    requestDeserialize: (bytes: Buffer) => method.input.decode(bytes),
    responseSerialize: serialize(method.output),
    responseDeserialize: (bytes: Buffer) => method.output.decode(bytes),
  };
}

/** `Say`, `Count`, `Collect`, `Converse` as grpc-js method definitions. */
export const rawEchoService: ServiceDefinition = Object.fromEntries(
  Object.entries(EchoDescriptor.methods).map(([name, method]) => [name, definition(method)]),
);

// `@micro-ts/runtime/grpc`: the gRPC transport. Kept out of the main entry so that only
// services using it need `@grpc/grpc-js` installed.
export { type GrpcTransportOptions, createGrpcTransport } from "./grpc-transport.js";

import { Server, type ServerCredentials, type ServerOptions } from "@grpc/grpc-js";
import { canceled, serviceUnavailable } from "../../errors/micro-error.js";
import type { ListenOptions, TransportListener } from "../transport.js";
import { createDeadlineWheel } from "../deadline-wheel.js";
import { GRPC_HANDLER_TYPES, createGrpcHandler } from "./grpc-handlers.js";

/** What the transport's options fix for every listener. */
export interface GrpcServerSettings {
  readonly credentials: ServerCredentials;
  readonly serverOptions: ServerOptions;
}

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * Binds a grpc-js server and registers every route of the router with it (gRPC needs
 * each method declared before calls arrive; unknown paths get UNIMPLEMENTED from grpc-js).
 * Responses are encoded by the route's ts-proto type in the serializer.
 */
export async function listenGrpc(
  options: ListenOptions,
  settings: GrpcServerSettings,
): Promise<TransportListener> {
  const match = /^(.*):(\d+)$/.exec(options.address);
  if (!match)
    throw new Error(
      `grpc transport: listen address must be host:port, got ${JSON.stringify(options.address)}`,
    );
  if (!Number.isInteger(options.maxMessageBytes) || options.maxMessageBytes <= 0) {
    throw new RangeError(
      `grpc transport: maxMessageBytes must be a positive integer, got ${options.maxMessageBytes}`,
    );
  }
  const server = new Server({
    ...settings.serverOptions,
    "grpc.max_receive_message_length": options.maxMessageBytes,
    "grpc.max_send_message_length": options.maxMessageBytes,
  });
  let forced = false;
  const cancelReason = () =>
    forced
      ? serviceUnavailable("micro.server", "the server stopped before the call finished")
      : canceled("micro.server", "the caller cancelled the call");
  const deadlines = createDeadlineWheel();
  for (const route of options.router.routes()) {
    const { output } = route.method;
    const serialize = (message: unknown): Buffer => {
      const bytes = output.encode(message).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
    const type = GRPC_HANDLER_TYPES[route.method.kind];
    if (
      !server.register(
        route.method.endpoint.path,
        createGrpcHandler(route, cancelReason, deadlines),
        serialize,
        identity,
        type,
      )
    ) {
      throw new Error(`grpc transport: ${route.method.endpoint.path} is routed twice`);
    }
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.address, settings.credentials, (error, bound) => {
      if (error) {
        server.forceShutdown();
        reject(
          new Error(`grpc transport: cannot listen on ${options.address}: ${error.message}`, {
            cause: error,
          }),
        );
      } else resolve(bound);
    });
  });

  let closed: Promise<void> | undefined;
  const close = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        forced = true;
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    address: `${match[1]}:${port}`,
    close: (timeoutMs) => (closed ??= close(timeoutMs)),
  };
}

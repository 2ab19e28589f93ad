import {
  ChannelCredentials,
  type ChannelOptions,
  ServerCredentials,
  type ServerOptions,
} from "@grpc/grpc-js";
import type { Transport } from "../transport.js";
import { createGrpcClient } from "./grpc-client.js";
import { listenGrpc } from "./grpc-server.js";

/** Settings of the gRPC transport; every field is optional. */
export interface GrpcTransportOptions {
  /** Server TLS credentials. Default: insecure (plaintext HTTP/2), for use behind a mesh or on one host. */
  readonly serverCredentials?: ServerCredentials;
  /** Client TLS credentials. Default: insecure, matching the server default. */
  readonly channelCredentials?: ChannelCredentials;
  /**
   * Largest message the client sends or accepts, in bytes. Default: 4 MiB, gRPC's own
   * default receive limit. Servers take their limit from `ListenOptions.maxMessageBytes`.
   */
  readonly maxMessageBytes?: number;
  /**
   * Interval of client keepalive pings in ms, to notice dead connections while idle.
   * Default: undefined, no pings (gRPC's default): many servers answer frequent pings
   * with GOAWAY `too_many_pings`, so turn this on only for servers that allow it.
   */
  readonly keepaliveTimeMs?: number;
  /** How long a keepalive ping may go unanswered before the connection is dropped. Default: 20000 ms. */
  readonly keepaliveTimeoutMs?: number;
  /** Further grpc-js channel options, applied last. Default: none. */
  readonly channelOptions?: ChannelOptions;
  /** Further grpc-js server options. Default: none; message limits always come from `listen`. */
  readonly serverOptions?: ServerOptions;
}

/**
 * A transport speaking real gRPC over HTTP/2 with `@grpc/grpc-js`, so `grpcurl`,
 * `buf curl` and gRPC clients in any language can call micro services, and micro
 * clients can call plain gRPC servers. Errors round-trip exactly between micro ends
 * through a `micro-error` trailer and map through the shared status table otherwise.
 */
export function createGrpcTransport(options: GrpcTransportOptions = {}): Transport {
  const maxMessageBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes <= 0) {
    throw new RangeError(
      `grpc transport: maxMessageBytes must be a positive integer, got ${maxMessageBytes}`,
    );
  }
  const channelOptions: ChannelOptions = {
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
    ...(options.keepaliveTimeMs === undefined
      ? {}
      : { "grpc.keepalive_time_ms": options.keepaliveTimeMs }),
    "grpc.keepalive_timeout_ms": options.keepaliveTimeoutMs ?? 20_000,
    ...options.channelOptions,
  };
  const credentials = options.channelCredentials ?? ChannelCredentials.createInsecure();
  const serverSettings = {
    credentials: options.serverCredentials ?? ServerCredentials.createInsecure(),
    serverOptions: options.serverOptions ?? {},
  };
  return {
    name: "grpc",
    listen: (listenOptions) => listenGrpc(listenOptions, serverSettings),
    client: () => createGrpcClient({ credentials, channelOptions }),
  };
}

import type { Codec } from "../../codec/codec.js";
import { createJsonCodec } from "../../codec/json-codec.js";
import { createProtoCodec } from "../../codec/proto-codec.js";
import type { ListenOptions, Transport, TransportClient, TransportListener } from "../transport.js";
import { listenHttp } from "./http-listener.js";
import { createH2Client } from "./h2-client.js";
import { createUnaryClient } from "./unary-client.js";

/** Settings of the http transport; every field is optional. */
export interface HttpTransportOptions {
  /**
   * Client: most keep-alive HTTP/1.1 connections open to one address for unary calls;
   * calls beyond it queue. Default 64: enough for high concurrency without opening a
   * socket per call under load.
   */
  readonly connectionsPerAddress?: number;
  /**
   * Client: ms an idle pooled connection or h2c session stays open. Default 4000, below
   * the server's `keepAliveTimeout` so the client drops a socket before the server does
   * and never sends a call down a socket that is being closed.
   */
  readonly idleTimeout?: number;
  /** Server: ms an idle HTTP/1.1 keep-alive connection stays open. Default 5000 (Node's). */
  readonly keepAliveTimeout?: number;
  /** Client: ms to establish a connection before the call fails with 503. Default 10000. */
  readonly connectTimeout?: number;
  /**
   * Client: send unary calls over the h2c session (multiplexed on one connection) instead
   * of the HTTP/1.1 keep-alive pool. Default false: on Node 20 the pool served about twice
   * the unary calls per second (node:http2 costs more per request than node:http), and
   * HTTP/1.1 passes through every proxy.
   */
  readonly http2Unary?: boolean;
  /**
   * Client: the codec of requests the client sends, `proto` or `json`. Default `proto`
   * (compact, fastest); the server answers both either way.
   */
  readonly codec?: "proto" | "json";
  /**
   * Client: largest response message accepted, in bytes. Default 64 MiB: a guard against
   * a runaway peer, above any server's `maxMessageBytes` one would normally configure.
   */
  readonly maxResponseBytes?: number;
}

const DEFAULTS = {
  connectionsPerAddress: 64,
  idleTimeout: 4_000,
  keepAliveTimeout: 5_000,
  connectTimeout: 10_000,
  maxResponseBytes: 64 * 1024 * 1024,
} as const;

/**
 * The default transport: the Connect protocol over HTTP/1.1 and h2c on one port, so
 * micro clients, `curl`, `buf curl` and any Connect client can call a service. Unary
 * calls use pooled HTTP/1.1 keep-alive connections (undici); streams use one h2c
 * session per address.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const settings = {
    connectionsPerAddress: positive("connectionsPerAddress", options.connectionsPerAddress),
    idleTimeout: positive("idleTimeout", options.idleTimeout),
    keepAliveTimeout: positive("keepAliveTimeout", options.keepAliveTimeout),
    connectTimeout: positive("connectTimeout", options.connectTimeout),
    maxResponseBytes: positive("maxResponseBytes", options.maxResponseBytes),
  };
  const http2Unary = options.http2Unary ?? false;
  const proto = createProtoCodec();
  const json = createJsonCodec();
  const codecs: ReadonlyMap<string, Codec> = new Map([
    [proto.name, proto],
    [json.name, json],
  ]);
  const codecName = options.codec ?? "proto";
  const clientCodec = codecs.get(codecName);
  if (!clientCodec) {
    throw new RangeError(
      `http transport: codec must be "proto" or "json", got "${String(codecName)}"`,
    );
  }

  return {
    name: "http",
    listen(listen: ListenOptions): Promise<TransportListener> {
      return listenHttp(listen, { codecs, keepAliveTimeout: settings.keepAliveTimeout });
    },
    client(): TransportClient {
      const unary = createUnaryClient({
        codec: clientCodec,
        connections: settings.connectionsPerAddress,
        idleTimeout: settings.idleTimeout,
        connectTimeout: settings.connectTimeout,
        maxResponseBytes: settings.maxResponseBytes,
      });
      const h2 = createH2Client({
        codec: clientCodec,
        idleTimeout: settings.idleTimeout,
        connectTimeout: settings.connectTimeout,
        maxResponseBytes: settings.maxResponseBytes,
      });
      return {
        unary: http2Unary
          ? (address, method, request, call) => h2.unary(address, method, request, call)
          : (address, method, request, call) => unary.call(address, method, request, call),
        stream: (address, method, requests, call) => h2.stream(address, method, requests, call),
        async close() {
          await Promise.all([unary.close(), h2.close()]);
        },
      };
    },
  };

  function positive<K extends keyof typeof DEFAULTS>(key: K, value: number | undefined): number {
    if (value === undefined) return DEFAULTS[key];
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`http transport: ${key} must be a positive number, got ${value}`);
    }
    return value;
  }
}

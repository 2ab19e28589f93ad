import { Pool } from "undici";
import type { Codec } from "../../codec/codec.js";
import { type MicroError, badGateway } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import { addMetadataHeaders, metadataFromHeaders } from "../wire/metadata-headers.js";
import { MICRO_ERROR_HEADER, decodeMicroErrorHeader } from "../wire/micro-error-header.js";
import type { OutboundCall } from "../transport.js";
import { guardCall } from "./call-guard.js";
import { transportFailure } from "./client-errors.js";
import {
  CONNECT_PROTOCOL_VERSION,
  isConnectHeader,
  microErrorFromConnect,
} from "./connect-protocol.js";

/** Pool settings of the unary client (see HttpTransportOptions). */
export interface UnaryClientSettings {
  readonly codec: Codec;
  readonly connections: number;
  readonly idleTimeout: number;
  readonly connectTimeout: number;
  readonly maxResponseBytes: number;
}

/** Connect unary calls over pooled HTTP/1.1 keep-alive connections. */
export interface UnaryClient {
  call<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    call: OutboundCall,
  ): Promise<O>;
  close(): Promise<void>;
}

/**
 * Unary calls through one undici Pool per address: keep-alive connections reused across
 * calls, which is what makes a unary call cost little more than its bytes.
 */
export function createUnaryClient(settings: UnaryClientSettings): UnaryClient {
  const { codec } = settings;
  const pools = new Map<string, Pool>();

  function pool(address: string): Pool {
    let found = pools.get(address);
    if (!found || found.closed || found.destroyed) {
      found = new Pool(`http://${address}`, {
        connections: settings.connections,
        keepAliveTimeout: settings.idleTimeout,
        connect: { timeout: settings.connectTimeout },
        maxResponseSize: settings.maxResponseBytes,
      });
      pools.set(address, found);
    }
    return found;
  }

  async function call<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    outbound: OutboundCall,
  ): Promise<O> {
    const guard = guardCall(method, outbound);
    try {
      const headers: Record<string, string> = {};
      addMetadataHeaders(headers, outbound.metadata, isConnectHeader);
      headers["content-type"] = codec.contentType;
      headers["connect-protocol-version"] = CONNECT_PROTOCOL_VERSION;
      if (guard.timeoutMs !== undefined) headers["connect-timeout-ms"] = String(guard.timeoutMs);
      const body = codec.encode(request, method.input);
      let response: Awaited<ReturnType<Pool["request"]>>;
      let bytes: Uint8Array;
      try {
        response = await pool(address).request({
          path: method.endpoint.path,
          method: "POST",
          headers,
          body,
          signal: guard.signal,
        });
        bytes = new Uint8Array(await response.body.arrayBuffer());
      } catch (error) {
        throw transportFailure(error, method, address, guard.signal);
      }
      const responseHeaders = response.headers;
      if (outbound.onResponseMetadata) {
        outbound.onResponseMetadata(responseMetadata(responseHeaders));
      }
      if (response.statusCode !== 200) {
        throw errorFromResponse(response.statusCode, responseHeaders, bytes, method);
      }
      const contentType = responseHeaders["content-type"];
      if (contentType !== codec.contentType && !String(contentType).startsWith(codec.contentType)) {
        throw badGateway(
          "micro.client",
          `${method.service}/${method.name} at ${address} answered with content type "${String(contentType)}", expected ${codec.contentType}`,
        );
      }
      return codec.decode(bytes, method.output);
    } finally {
      guard.dispose();
    }
  }

  return {
    call,
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close().catch(() => undefined)));
    },
  };
}

/**
 * Response headers as metadata: protocol headers dropped, Connect's `trailer-` prefixed
 * unary trailers folded in under their own names.
 */
export function responseMetadata(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Metadata {
  const metadata = metadataFromHeaders(headers, isConnectHeader);
  for (const key of Object.keys(metadata)) {
    if (key.startsWith("trailer-")) {
      metadata[key.slice("trailer-".length)] = metadata[key] as string;
      delete metadata[key];
    }
  }
  return metadata;
}

/** The MicroError of a non-200 unary response: exact from `micro-error`, else from Connect. */
function errorFromResponse(
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
  method: MethodDescriptor,
): MicroError {
  const exact = decodeMicroErrorHeader(headers[MICRO_ERROR_HEADER]);
  if (exact) return exact;
  let json: unknown;
  if (String(headers["content-type"]).startsWith("application/json")) {
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      json = undefined;
    }
  }
  return microErrorFromConnect(json, status, method.service);
}

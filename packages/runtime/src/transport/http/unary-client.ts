import type { IncomingHttpHeaders } from "node:http";
import { type Dispatcher, Pool } from "undici";
import type { Codec } from "../../codec/codec.js";
import { type MicroError, badGateway, serviceUnavailable } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import { addMetadataHeaders, metadataFromHeaders } from "../wire/metadata-headers.js";
import { MICRO_ERROR_HEADER, decodeMicroErrorHeader } from "../wire/micro-error-header.js";
import type { OutboundCall } from "../transport.js";
import { createDeadlineWheel } from "../deadline-wheel.js";
import { type CallGuard, guardCall } from "../call-guard.js";
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

/** A whole unary response. */
interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/**
 * Unary calls through one undici Pool per address: keep-alive connections reused across
 * calls. It talks to the pool through `dispatch` with a small handler rather than
 * `request()`, skipping the body stream and AbortSignal plumbing a Connect unary call
 * does not need: that is most of what makes a call cost little more than its bytes.
 */
export function createUnaryClient(settings: UnaryClientSettings): UnaryClient {
  const { codec } = settings;
  const deadlines = createDeadlineWheel();
  const pools = new Map<string, Pool>();
  let closed = false;

  function pool(address: string): Pool {
    let found = pools.get(address);
    if (!found || found.closed || found.destroyed) {
      found = new Pool(`http://${address}`, {
        connections: settings.connections,
        keepAliveTimeout: settings.idleTimeout,
        connect: { timeout: settings.connectTimeout },
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
    if (closed) throw serviceUnavailable("micro.client", "the http transport client is closed");
    const guard = guardCall(method, outbound, deadlines);
    const headers: Record<string, string> = {};
    addMetadataHeaders(headers, outbound.metadata, isConnectHeader);
    headers["content-type"] = codec.contentType;
    headers["connect-protocol-version"] = CONNECT_PROTOCOL_VERSION;
    if (guard.timeoutMs !== undefined) headers["connect-timeout-ms"] = String(guard.timeoutMs);
    let response: RawResponse;
    try {
      response = await send(
        pool(address),
        method.endpoint.path,
        headers,
        codec.encode(request, method.input),
        guard,
        settings.maxResponseBytes,
      );
    } catch (error) {
      throw transportFailure(error, method, address, guard.reason);
    } finally {
      guard.dispose();
    }
    const { status, headers: responseHeaders, body } = response;
    outbound.onResponseMetadata?.(responseMetadata(responseHeaders));
    if (status !== 200) throw errorFromResponse(status, responseHeaders, body, method);
    const contentType = responseHeaders["content-type"];
    if (contentType !== codec.contentType && !String(contentType).startsWith(codec.contentType)) {
      throw badGateway(
        "micro.client",
        `${method.service}/${method.name} at ${address} answered with content type "${String(contentType)}", expected ${codec.contentType}`,
      );
    }
    return codec.decode(body, method.output);
  }

  return {
    call,
    async close() {
      closed = true;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close().catch(() => undefined)));
    },
  };
}

/**
 * One POST through the pool, buffered whole. The guard's deadline or cancellation
 * rejects at once (even while the request still waits for a free connection) and
 * aborts the request on its connection as soon as it has one.
 */
function send(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
  guard: CallGuard,
  maxResponseBytes: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const handler = new BufferingHandler(resolve, reject, guard, maxResponseBytes);
    guard.watch((reason) => handler.abort(reason));
    pool.dispatch({ path, method: "POST", headers, body }, handler);
  });
}

/**
 * Collects one response. A class rather than a handler literal of closures: undici
 * calls it per request, and its methods are shared by every call.
 */
class BufferingHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;
  readonly #resolve: (response: RawResponse) => void;
  readonly #reject: (error: Error) => void;
  readonly #guard: CallGuard;
  readonly #maxResponseBytes: number;

  constructor(
    resolve: (response: RawResponse) => void,
    reject: (error: Error) => void,
    guard: CallGuard,
    maxResponseBytes: number,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#guard = guard;
    this.#maxResponseBytes = maxResponseBytes;
  }

  /** The guard fired: reject now, and abort the request if it is on a connection. */
  abort(reason: Error): void {
    this.#fail(reason);
    this.#controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#guard.reason) controller.abort(this.#guard.reason);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#maxResponseBytes) {
      controller.abort(
        badGateway(
          "micro.client",
          `response larger than the client's limit of ${this.#maxResponseBytes} bytes (maxResponseBytes)`,
        ),
      );
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    const chunks = this.#chunks;
    this.#resolve({
      status: this.#status,
      headers: this.#headers,
      body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
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
export function errorFromResponse(
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
  method: MethodDescriptor,
): MicroError {
  const exact = decodeMicroErrorHeader(headers[MICRO_ERROR_HEADER]);
  if (exact) return exact;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    json = undefined;
  }
  return microErrorFromConnect(json, status, method.service);
}

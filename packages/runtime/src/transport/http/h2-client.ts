import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  connect,
  constants,
} from "node:http2";
import type { Codec } from "../../codec/codec.js";
import { type MicroError, badGateway, serviceUnavailable } from "../../errors/micro-error.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import {
  FLAG_COMPRESSED,
  FLAG_END_STREAM,
  encodeEnvelope,
  readEnvelopes,
} from "../wire/envelope.js";
import { addMetadataHeaders } from "../wire/metadata-headers.js";
import type { OutboundCall } from "../transport.js";
import { createDeadlineWheel } from "../deadline-wheel.js";
import { type CallGuard, guardCall } from "../call-guard.js";
import { transportFailure } from "./client-errors.js";
import {
  CONNECT_PROTOCOL_VERSION,
  contentTypeFor,
  decodeEndStream,
  isConnectHeader,
} from "./connect-protocol.js";
import { errorFromResponse, responseMetadata } from "./unary-client.js";

/** Session settings of the h2c client (see HttpTransportOptions). */
export interface H2ClientSettings {
  readonly codec: Codec;
  readonly idleTimeout: number;
  readonly connectTimeout: number;
  readonly maxResponseBytes: number;
}

/** Connect calls over one h2c session per address: every stream, and unary when asked. */
export interface H2Client {
  unary<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    call: OutboundCall,
  ): Promise<O>;
  stream<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    requests: AsyncIterable<I>,
    call: OutboundCall,
  ): AsyncGenerator<O>;
  close(): Promise<void>;
}

/**
 * One HTTP/2 session per address multiplexes every stream to it; a session that was
 * closed, errored or told to go away is replaced on the next call, so a restarted or
 * draining server costs at most one 503 per in-flight call, never a stuck client.
 */
export function createH2Client(settings: H2ClientSettings): H2Client {
  const { codec } = settings;
  const deadlines = createDeadlineWheel();
  const sessions = new Map<string, { session: ClientHttp2Session; active: number }>();
  let closed = false;

  /** Opens a stream on the address's session; the session stays referenced while it runs. */
  function open(address: string, headers: Record<string, string>): ClientHttp2Stream {
    let entry = sessions.get(address);
    if (!entry || entry.session.closed || entry.session.destroyed) {
      entry = { session: connectSession(address), active: 0 };
      sessions.set(address, entry);
    }
    const { session } = entry;
    const stream = session.request(headers);
    const owner = entry;
    if (owner.active++ === 0) session.ref();
    stream.once("close", () => {
      if (--owner.active === 0 && !session.destroyed) session.unref();
    });
    return stream;
  }

  function connectSession(address: string): ClientHttp2Session {
    const session = connect(`http://${address}`);
    const forget = () => {
      if (sessions.get(address)?.session === session) sessions.delete(address);
    };
    session.on("error", forget);
    session.on("goaway", forget);
    session.on("close", forget);
    const connecting = setTimeout(() => {
      forget();
      session.destroy(
        Object.assign(new Error(`connecting to ${address} timed out`), { code: "ETIMEDOUT" }),
      );
    }, settings.connectTimeout);
    session.once("connect", () => clearTimeout(connecting));
    session.once("close", () => clearTimeout(connecting));
    // The timeout only fires after a quiet spell; close() still lets open streams finish.
    session.setTimeout(settings.idleTimeout, () => {
      forget();
      session.close();
    });
    // An idle session must not keep the process alive; open streams ref it.
    session.unref();
    return session;
  }

  async function unary<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    call: OutboundCall,
  ): Promise<O> {
    if (closed) throw serviceUnavailable("micro.client", "the http transport client is closed");
    const guard = guardCall(method, call, deadlines);
    let h2: ClientHttp2Stream | undefined;
    let complete = false;
    try {
      const headers = requestHeaders(method, call, codec.contentType, guard);
      const body = codec.encode(request, method.input);
      let responseHeaders: IncomingHttpHeaders;
      let bytes: Uint8Array;
      try {
        h2 = start(address, headers, guard);
        h2.end(body);
        responseHeaders = await responseOf(h2);
        bytes = await readAll(h2, settings.maxResponseBytes);
        complete = true;
      } catch (error) {
        throw transportFailure(error, method, address, guard.reason);
      }
      call.onResponseMetadata?.(responseMetadata(responseHeaders));
      const status = Number(responseHeaders[":status"]);
      if (status !== 200) throw errorFromResponse(status, responseHeaders, bytes, method);
      const contentType = String(responseHeaders["content-type"]);
      if (!contentType.startsWith(codec.contentType)) {
        throw badGateway(
          "micro.client",
          `${method.service}/${method.name} at ${address} answered with content type "${contentType}"`,
        );
      }
      return codec.decode(bytes, method.output);
    } finally {
      guard.dispose();
      // Only a call cut short is reset: a reset per finished call would look like the
      // "rapid reset" attack to the server, which then drops the whole session.
      if (h2 && !complete && !h2.closed) h2.close(constants.NGHTTP2_CANCEL);
    }
  }

  /** Opens a call's stream, cancelled (RST_STREAM) when the guard aborts. */
  function start(
    address: string,
    headers: Record<string, string>,
    guard: CallGuard,
  ): ClientHttp2Stream {
    const stream = open(address, headers);
    // Failures surface through the response, the body iterator or `close`; never crash.
    stream.on("error", () => undefined);
    guard.watch(() => stream.close(constants.NGHTTP2_CANCEL));
    return stream;
  }

  async function* stream<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    requests: AsyncIterable<I>,
    call: OutboundCall,
  ): AsyncGenerator<O> {
    if (closed) throw serviceUnavailable("micro.client", "the http transport client is closed");
    const guard = guardCall(method, call, deadlines);
    let h2: ClientHttp2Stream | undefined;
    let finished = false;
    let pumpError: MicroError | undefined;
    try {
      const headers = requestHeaders(method, call, contentTypeFor(codec, true), guard);
      let stream: ClientHttp2Stream;
      try {
        stream = start(address, headers, guard);
      } catch (error) {
        throw transportFailure(error, method, address, guard.reason);
      }
      h2 = stream;

      void pumpRequests(stream, requests, method, codec).catch((error: unknown) => {
        pumpError = transportFailure(error, method, address, guard.reason);
        stream.close(constants.NGHTTP2_CANCEL);
      });

      const responseHeaders = await responseOf(stream).catch((error: unknown) => {
        throw pumpError ?? transportFailure(error, method, address, guard.reason);
      });
      const status = Number(responseHeaders[":status"]);
      const headerMetadata = responseMetadata(responseHeaders);
      if (status !== 200) {
        const body = await readAll(stream, settings.maxResponseBytes).catch(
          () => new Uint8Array(0),
        );
        call.onResponseMetadata?.(headerMetadata);
        throw errorFromResponse(status, responseHeaders, body, method);
      }
      const contentType = String(responseHeaders["content-type"]);
      if (!contentType.startsWith(contentTypeFor(codec, true))) {
        throw badGateway(
          "micro.client",
          `${method.service}/${method.name} at ${address} answered with content type "${contentType}"`,
        );
      }
      call.onResponseMetadata?.(headerMetadata);
      const envelopes = readEnvelopes(stream, {
        maxMessageBytes: settings.maxResponseBytes,
        errorId: "micro.client",
      });
      try {
        for await (const envelope of envelopes) {
          if (envelope.flags & FLAG_END_STREAM) {
            const end = decodeEndStream(envelope.data, method.service);
            if (Object.keys(end.trailers).length > 0) {
              call.onResponseMetadata?.({ ...headerMetadata, ...end.trailers });
            }
            finished = true;
            if (end.error) throw end.error;
            return;
          }
          if (envelope.flags & FLAG_COMPRESSED) {
            throw badGateway(
              "micro.client",
              "the server sent a compressed message without negotiation",
            );
          }
          yield codec.decode(envelope.data, method.output);
        }
      } catch (error) {
        if (finished) throw error;
        throw pumpError ?? broken(error, method, address, guard);
      }
      throw pumpError ?? broken(undefined, method, address, guard);
    } finally {
      guard.dispose();
      // Stopped early (break, error, abort): reset the stream so the handler is cancelled.
      if (h2 && !h2.closed && !finished) h2.close(constants.NGHTTP2_CANCEL);
    }
  }

  return {
    unary,
    stream,
    async close() {
      closed = true;
      const all = [...sessions.values()].map((entry) => entry.session);
      sessions.clear();
      await Promise.all(
        all.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.closed || s.destroyed) return resolve();
              // An idle session is unref'd, so nothing would keep the process alive until
              // its close completes: a timer holds it, and destroys the session if the
              // graceful close takes longer than a second.
              const hold = setTimeout(() => {
                s.destroy();
                resolve();
              }, 1000);
              s.close(() => {
                clearTimeout(hold);
                resolve();
              });
            }),
        ),
      );
    },
  };
}

/**
 * Writes the request stream as envelopes, waiting for `drain` so a fast producer is held
 * back by HTTP/2 flow control instead of buffering without bound.
 */
async function pumpRequests<I>(
  stream: ClientHttp2Stream,
  requests: AsyncIterable<I>,
  method: MethodDescriptor<I, unknown>,
  codec: Codec,
): Promise<void> {
  for await (const request of requests) {
    if (stream.closed || stream.destroyed) return;
    if (!stream.write(encodeEnvelope(0, codec.encode(request, method.input)))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.removeListener("drain", done);
          stream.removeListener("close", done);
          resolve();
        };
        stream.once("drain", done);
        stream.once("close", done);
      });
    }
  }
  if (!stream.closed && !stream.destroyed) stream.end();
}

/** The response headers, or the error that closed the stream before them. */
function responseOf(stream: ClientHttp2Stream): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const onResponse = (headers: IncomingHttpHeaders) => {
      cleanup();
      resolve(headers);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      const code = stream.rstCode;
      reject(
        Object.assign(new Error(`stream closed before a response (HTTP/2 code ${String(code)})`), {
          code: code === constants.NGHTTP2_REFUSED_STREAM ? "ERR_HTTP2_STREAM_ERROR" : "ECONNRESET",
        }),
      );
    };
    const cleanup = () => {
      stream.removeListener("response", onResponse);
      stream.removeListener("error", onError);
      stream.removeListener("close", onClose);
    };
    stream.once("response", onResponse);
    stream.once("error", onError);
    stream.once("close", onClose);
  });
}

/** Request headers of a call: metadata first, so it can never override the protocol's own. */
function requestHeaders(
  method: MethodDescriptor,
  call: OutboundCall,
  contentType: string,
  guard: CallGuard,
): Record<string, string> {
  const headers: Record<string, string> = {};
  addMetadataHeaders(headers, call.metadata, isConnectHeader);
  headers[":method"] = "POST";
  headers[":path"] = method.endpoint.path;
  headers["content-type"] = contentType;
  headers["connect-protocol-version"] = CONNECT_PROTOCOL_VERSION;
  if (guard.timeoutMs !== undefined) headers["connect-timeout-ms"] = String(guard.timeoutMs);
  return headers;
}

/** A whole (unary or error) body, refusing to buffer more than `limit` bytes. */
async function readAll(stream: ClientHttp2Stream, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw badGateway(
        "micro.client",
        `response larger than the client's limit of ${limit} bytes (maxResponseBytes)`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/**
 * A stream that broke after the response started: the guard's reason if the call was
 * cancelled or timed out, else a 502 (messages may have been processed, so not a 503).
 */
function broken(
  error: unknown,
  method: MethodDescriptor,
  address: string,
  guard: CallGuard,
): MicroError {
  if (guard.reason) return guard.reason;
  const failure = transportFailure(
    error ?? new Error("stream ended without an end-stream message"),
    method,
    address,
    undefined,
  );
  if (failure.code !== 503) return failure;
  return badGateway(
    "micro.client",
    `${method.service}/${method.name} at ${address}: stream broke mid-call: ${failure.detail}`,
  );
}

import type { OutgoingHttpHeaders } from "node:http";
import type { Codec } from "../../codec/codec.js";
import { MicroError, badRequest, notImplemented } from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import type { MessageType } from "../../method/method-descriptor.js";
import {
  FLAG_COMPRESSED,
  FLAG_END_STREAM,
  type Envelope,
  encodeEnvelope,
  readEnvelopes,
} from "../wire/envelope.js";
import { addMetadataHeaders } from "../wire/metadata-headers.js";
import type { Route, RouteResult } from "../transport.js";
import {
  type ConnectContentType,
  contentTypeFor,
  encodeEndStream,
  isConnectHeader,
} from "./connect-protocol.js";
import {
  type WireRequest,
  type WireResponse,
  drained,
  startServerCall,
  tooLarge,
} from "./server-call.js";
import type { DeadlineWheel } from "../deadline-wheel.js";
import { untilAborted } from "../until-aborted.js";

/** One streaming call to serve. */
export interface StreamCall {
  readonly request: WireRequest;
  readonly response: WireResponse;
  readonly route: Route;
  readonly path: string;
  readonly type: ConnectContentType;
  readonly deadline: number | undefined;
  readonly maxMessageBytes: number;
  /** The listener's deadline timers. */
  readonly deadlines: DeadlineWheel;
}

/**
 * Serves the three streaming kinds over Connect's enveloped framing. The status is 200
 * once the call starts; the outcome travels in the end-stream message, which carries the
 * trailers (response metadata set after the first message) and the error if any. Works
 * on HTTP/1.1 (chunked) and h2c alike; bidi needs h2c for interleaving.
 */
export async function serveStream(call: StreamCall): Promise<void> {
  const { request, response, route, path, type, maxMessageBytes } = call;
  const { codec } = type;
  const method = route.method;
  const state = startServerCall(request, response, path, call.deadline, call.deadlines);
  const signal = state.inbound.signal;
  let result: RouteResult | undefined;
  let sentHeaders: Metadata | undefined;

  const sendHeaders = () => {
    if (sentHeaders) return;
    sentHeaders = { ...(result?.context.responseMetadata ?? {}) };
    const headers: OutgoingHttpHeaders = {};
    addMetadataHeaders(headers as Record<string, string>, sentHeaders, isConnectHeader);
    headers["content-type"] = contentTypeFor(codec, true);
    response.writeHead(200, headers);
  };

  const send = async (message: unknown) => {
    const bytes = codec.encode(message, method.output);
    if (bytes.length > maxMessageBytes) {
      throw tooLarge("response message", bytes.length, maxMessageBytes);
    }
    if (state.gone()) throw signal.reason as MicroError;
    sendHeaders();
    if (!response.write(encodeEnvelope(0, bytes))) await drained(response);
    if (signal.aborted) throw signal.reason as MicroError;
  };

  let failure: MicroError | undefined;
  try {
    const messages = decodeMessages(
      readEnvelopes(request.iterator({ destroyOnReturn: false }), {
        maxMessageBytes,
        errorId: "micro.server",
      }),
      codec,
      method.input,
    );
    const input =
      method.kind === "server_streaming"
        ? await untilAborted(single(messages, path), signal)
        : messages;
    result = route.invoke(state.inbound, input);
    if (method.kind === "client_streaming") {
      await send(await untilAborted(result.response as Promise<unknown>, signal));
    } else {
      await pump(result.response as AsyncIterable<unknown>, send, signal);
    }
  } catch (error) {
    failure = MicroError.from(error);
  }
  state.complete();
  if (!request.readableEnded) request.resume();
  if (state.gone()) return;
  try {
    sendHeaders();
  } catch (error) {
    // Metadata HTTP cannot carry: the call fails, and says why in the end-stream.
    failure ??= MicroError.from(error);
    sentHeaders = {};
    response.writeHead(200, { "content-type": contentTypeFor(codec, true) });
  }
  const trailers: Metadata = {};
  const final = result?.context.responseMetadata ?? {};
  for (const key of Object.keys(final)) {
    if (sentHeaders?.[key] !== final[key] && !isConnectHeader(key))
      trailers[key] = final[key] as string;
  }
  response.end(encodeEnvelope(FLAG_END_STREAM, encodeEndStream(trailers, failure)));
}

/**
 * Writes every response of the handler's stream. A deadline or disconnect stops waiting
 * at once, even when the handler ignores its signal; the handler's generator is then
 * closed in the background.
 */
async function pump(
  responses: AsyncIterable<unknown>,
  send: (message: unknown) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const iterator = responses[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) {
        finished = true;
        return;
      }
      await send(next.value);
    }
  } finally {
    if (!finished) iterator.return?.().catch(() => undefined);
  }
}

/** Request envelopes as messages; compressed or end-stream frames are refused by name. */
async function* decodeMessages<T>(
  envelopes: AsyncIterable<Envelope>,
  codec: Codec,
  type: MessageType<T>,
): AsyncGenerator<T> {
  for await (const envelope of envelopes) {
    if (envelope.flags & FLAG_COMPRESSED) {
      throw notImplemented("micro.server", "compressed request messages are not supported");
    }
    if (envelope.flags & FLAG_END_STREAM) {
      throw badRequest("micro.server", "a request stream must not contain an end-stream message");
    }
    yield codec.decode(envelope.data, type);
  }
}

/** The one request of a server-streaming call; none or several is the caller's mistake. */
async function single<T>(messages: AsyncGenerator<T>, path: string): Promise<T> {
  const first = await messages.next();
  if (first.done) {
    throw badRequest("micro.server", `${path} expects exactly one request message, got none`);
  }
  const extra = await messages.next();
  if (!extra.done) {
    await messages.return(undefined);
    throw badRequest("micro.server", `${path} expects exactly one request message, got more`);
  }
  return first.value;
}

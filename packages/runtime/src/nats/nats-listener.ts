import { type Msg, type NatsConnection, createInbox } from "@nats-io/transport-node";
import type { Codec } from "../codec/codec.js";
import { createJsonCodec } from "../codec/json-codec.js";
import { createProtoCodec } from "../codec/proto-codec.js";
import {
  MicroError,
  canceled,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
} from "../errors/micro-error.js";
import type { MessageType } from "../method/method-descriptor.js";
import { createDeadlineWheel } from "../transport/deadline-wheel.js";
import type { Route, RouteResult, Router, TransportListener } from "../transport/transport.js";
import { NatsServerCall } from "./nats-server-call.js";
import {
  ACK,
  CALL_ID,
  CODEC,
  KIND,
  PATH,
  createAckCounter,
  createSendWindow,
  type WireKind,
  createMessageQueue,
  readError,
  wireHeaders,
} from "./nats-wire.js";

const protoCodec = createProtoCodec();
const jsonCodec = createJsonCodec();
/** The codec a call came in (and is answered) in: JSON when the client says so. */
const codecOf = (msg: Msg): Codec => (msg.headers?.get(CODEC) === "json" ? jsonCodec : protoCodec);
const ID = "micro.server";

/** Settings of one NATS listener. */
export interface NatsListenerOptions {
  readonly connection: NatsConnection;
  /** The node's subject: every call to this node is a message on it. */
  readonly subject: string;
  readonly router: Router;
  readonly maxMessageBytes: number;
  /** Closes the connection when the listener closes (it was opened for this listener). */
  readonly ownsConnection: boolean;
}

/**
 * Serves calls arriving on one node subject. Unary calls are NATS requests answered by
 * one reply; a stream is opened by a request whose answer names a per-call inbox of the
 * server, then both sides exchange `msg`/`end` messages between the two inboxes.
 */
export async function listenNats(options: NatsListenerOptions): Promise<TransportListener> {
  const { connection: nc, subject, router, maxMessageBytes } = options;
  /** Calls in progress and where to answer them. */
  const active = new Set<NatsServerCall>();
  /** Unary calls a caller may cancel, by the call id it sent. */
  const cancellable = new Map<string, NatsServerCall>();
  const deadlines = createDeadlineWheel();
  let wakeDrained: (() => void) | undefined;
  let closing = false;

  const decode = <T>(msg: Msg, type: MessageType<T>, what: string, codec: Codec): T => {
    if (msg.data.byteLength > maxMessageBytes) {
      throw payloadTooLarge(
        ID,
        `${what} of ${msg.data.byteLength} bytes exceeds the limit of ${maxMessageBytes}`,
      );
    }
    return codec.decode(msg.data, type);
  };
  const encode = <T>(message: T, type: MessageType<T>, codec: Codec): Uint8Array => {
    const bytes = codec.encode(message, type);
    if (bytes.byteLength > maxMessageBytes) {
      throw payloadTooLarge(
        ID,
        `response of ${bytes.byteLength} bytes exceeds the limit of ${maxMessageBytes}`,
      );
    }
    return bytes;
  };
  const send = (
    to: string,
    kind: WireKind,
    body: Uint8Array | undefined,
    fields: Parameters<typeof wireHeaders>[1] = {},
    reply?: string,
  ) => {
    try {
      nc.publish(to, body, {
        headers: wireHeaders(kind, fields),
        ...(reply === undefined ? {} : { reply }),
      });
    } catch (error) {
      // A response past NATS's max payload: tell the caller instead of leaving it waiting.
      if (kind === "error") return;
      const detail = error instanceof Error ? error.message : String(error);
      nc.publish(to, undefined, {
        headers: wireHeaders("error", { error: payloadTooLarge(ID, detail) }),
      });
    }
  };

  /**
   * A unary success. Without response metadata it carries no headers at all: the client
   * reads a reply without an error header as the message, and NATS skips the header block.
   */
  const sendReply = (to: string, body: Uint8Array, metadata: Record<string, string>) => {
    if (Object.keys(metadata).length > 0) {
      send(to, "msg", body, { metadata });
      return;
    }
    try {
      nc.publish(to, body);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      nc.publish(to, undefined, {
        headers: wireHeaders("error", { error: payloadTooLarge(ID, detail) }),
      });
    }
  };

  /** Starts tracking a call: its deadline, its cancel id, and drain accounting. */
  const begin = (msg: Msg): NatsServerCall => {
    const call = new NatsServerCall(msg, deadlines);
    active.add(call);
    if (call.callId !== undefined) cancellable.set(call.callId, call);
    return call;
  };

  const finish = (call: NatsServerCall): void => {
    call.finish();
    if (call.callId !== undefined) cancellable.delete(call.callId);
    active.delete(call);
    if (active.size === 0) wakeDrained?.();
  };

  const routeOf = (msg: Msg): Route => {
    const path = msg.headers?.get(PATH) ?? "";
    const route = router.route(path);
    if (!route) throw notFound(ID, `unknown method ${path} at ${subject}`);
    return route;
  };

  /** Serves a unary call on callbacks rather than an async function: it runs per request. */
  const serveUnary = (msg: Msg): void => {
    const call = begin(msg);
    const codec = codecOf(msg);
    let route: Route;
    let result: RouteResult;
    try {
      route = routeOf(msg);
      result = route.invoke(call, decode(msg, route.method.input, "request", codec));
    } catch (error) {
      send(call.reply, "error", undefined, { error: MicroError.from(error) });
      finish(call);
      return;
    }
    const metadata = result.context.responseMetadata;
    (result.response as Promise<unknown>)
      .then((response) =>
        sendReply(call.reply, encode(response, route.method.output, codec), metadata),
      )
      .catch((error: unknown) =>
        send(call.reply, "error", undefined, { error: MicroError.from(error), metadata }),
      )
      .finally(() => finish(call));
  };

  const serveStream = async (msg: Msg): Promise<void> => {
    const reply = msg.reply as string;
    const call = begin(msg);
    const codec = codecOf(msg);
    const inbound = call;
    const inbox = createInbox();
    let metadata: Record<string, string> | undefined;
    try {
      const route = routeOf(msg);
      const queue = createMessageQueue<unknown>();
      const window = createSendWindow();
      const consumed = createAckCounter((count) => send(reply, "ack", undefined, { ack: count }));
      const requests: typeof queue = {
        push: queue.push,
        end: queue.end,
        async *[Symbol.asyncIterator]() {
          for await (const item of queue) {
            consumed();
            yield item;
          }
        },
      };
      const sub = nc.subscribe(inbox, {
        callback: (_error, incoming) => {
          const kind = incoming.headers?.get(KIND);
          try {
            if (kind === "msg")
              requests.push(decode(incoming, route.method.input, "request", codec));
            else if (kind === "ack") window.ack(Number(incoming.headers?.get(ACK)));
            else if (kind === "end") requests.end();
            else if (kind === "cancel") {
              const reason = readError(incoming.headers) ?? canceled(ID, "cancelled by the caller");
              requests.end(reason);
              call.abort(reason);
            }
          } catch (error) {
            requests.end(error);
            call.abort(error);
          }
        },
      });
      call.signal.addEventListener(
        "abort",
        () => {
          requests.end(call.signal.reason);
          window.close();
        },
        {
          once: true,
        },
      );
      try {
        send(reply, "ready", undefined, {}, inbox);
        const kind = route.method.kind;
        let input: unknown = requests;
        if (kind === "server_streaming") {
          const iterator = requests[Symbol.asyncIterator]();
          const first = await iterator.next();
          if (first.done)
            throw new MicroError(ID, 400, "a server stream needs one request message");
          input = first.value;
        }
        const result = route.invoke(inbound, input);
        metadata = result.context.responseMetadata;
        if (kind === "client_streaming") {
          send(
            reply,
            "msg",
            encode(await (result.response as Promise<unknown>), route.method.output, codec),
          );
        } else {
          for await (const item of result.response as AsyncIterable<unknown>) {
            await window.acquire();
            if (call.signal.aborted) throw call.signal.reason;
            send(reply, "msg", encode(item, route.method.output, codec));
          }
        }
        send(reply, "end", undefined, { metadata });
      } finally {
        sub.unsubscribe();
      }
    } catch (error) {
      send(reply, "error", undefined, {
        error: MicroError.from(error),
        ...(metadata ? { metadata } : {}),
      });
    } finally {
      finish(call);
    }
  };

  const subscription = nc.subscribe(subject, {
    callback: (_error, msg) => {
      if (!msg.reply) return;
      if (closing) {
        send(msg.reply, "error", undefined, {
          error: serviceUnavailable(ID, `${subject} is shutting down`),
        });
        return;
      }
      const kind = msg.headers?.get(KIND);
      if (kind === "unary") void serveUnary(msg);
      else if (kind === "open") void serveStream(msg);
      else
        send(msg.reply, "error", undefined, {
          error: new MicroError(ID, 400, `unknown ${KIND} ${String(kind)}`),
        });
    },
  });
  // Cancellations of unary calls (streams cancel on their own inboxes).
  const cancels = nc.subscribe(`${subject}.cancel`, {
    callback: (_error, msg) => {
      const callId = msg.headers?.get(CALL_ID);
      const call = callId ? cancellable.get(callId) : undefined;
      call?.abort(canceled(ID, "call cancelled by the caller"));
    },
  });
  await nc.flush();

  return {
    address: subject,
    async close(timeoutMs: number) {
      if (closing) return;
      closing = true;
      // No new calls reach this node; callers get "no responders" and try another node.
      subscription.unsubscribe();
      await nc.flush().catch(() => undefined);
      if (active.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wakeDrained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const stopped = serviceUnavailable(ID, `${subject} stopped before the call finished`);
      for (const call of active) {
        call.abort(stopped);
        send(call.reply, "error", undefined, { error: stopped });
      }
      cancels.unsubscribe();
      await nc.flush().catch(() => undefined);
      if (options.ownsConnection) await nc.drain().catch(() => nc.close());
    },
  };
}

import {
  type Msg,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  TimeoutError,
  createInbox,
  nuid,
} from "@nats-io/transport-node";
import type { Codec } from "../codec/codec.js";
import { createJsonCodec } from "../codec/json-codec.js";
import { createProtoCodec } from "../codec/proto-codec.js";
import { MicroError, canceled, serviceUnavailable, timeout } from "../errors/micro-error.js";
import type { MethodDescriptor } from "../method/method-descriptor.js";
import type {
  OutboundCall,
  Transport,
  TransportClient,
  TransportListener,
} from "../transport/transport.js";
import { type NatsConnectionOptions, connectNats, errorText } from "./nats-connection.js";
import { listenNats } from "./nats-listener.js";
import { type NatsRequests, createNatsRequests } from "./nats-requests.js";
import {
  ACK,
  CALL_ID,
  CODEC,
  DEADLINE,
  KIND,
  createAckCounter,
  createMessageQueue,
  createSendWindow,
  readError,
  readMetadata,
  wireHeaders,
} from "./nats-wire.js";

/** Settings of the NATS transport. */
export interface NatsTransportOptions extends NatsConnectionOptions {
  /** Prefix of node subjects: a node listens on `<prefix>.<nuid>`. Default `micro.rpc`. */
  readonly subjectPrefix?: string;
  /** Timeout in ms of a unary call that has no deadline, and of opening a stream. Default 30 000. */
  readonly requestTimeout?: number;
  /**
   * Longest wait in ms for the reply of one unary attempt. A node killed while holding a
   * request never answers (NATS cannot tell), so after this the attempt fails with a 503
   * the client retries on another node. Default 2 000; raise it for slower handlers (a
   * handler past it may run twice, as with go-micro's per-request timeout).
   */
  readonly attemptTimeout?: number;
  /**
   * What the client sends: `proto` (default) or `json`, for callers without the generated
   * types (the `micro` CLI). Servers answer each call in the codec it came in.
   */
  readonly codec?: "proto" | "json";
}

const ID = "micro.client";
const protoCodec = createProtoCodec();

/**
 * Calls over NATS request/reply. Each node listens on a subject of its own, registered as
 * its address, so a call is routed by NATS alone: no socket per node, no address to
 * reach. A dead or stopped node answers "no responders" at once, a 503 the client
 * retries on another node. `listen` ignores the host:port it is given.
 *
 * Streams have no flow control: a side that cannot keep up is bounded by NATS's
 * slow-consumer limits. Use the http or grpc transport for large, long streams.
 */
export function createNatsTransport(options: NatsTransportOptions = {}): Transport {
  const prefix = options.subjectPrefix ?? "micro.rpc";
  const requestTimeout = options.requestTimeout ?? 30_000;
  const attemptTimeout = options.attemptTimeout ?? 2_000;
  const open = () => options.connection ?? connectNats(ID, "micro-transport", options);
  const codec = options.codec === "json" ? createJsonCodec() : protoCodec;

  return {
    name: "nats",

    async listen(listenOptions): Promise<TransportListener> {
      const connection = await open();
      return listenNats({
        connection,
        subject: `${prefix}.${nuid.next()}`,
        router: listenOptions.router,
        maxMessageBytes: listenOptions.maxMessageBytes,
        ownsConnection: options.connection === undefined,
      });
    },

    client(): TransportClient {
      let connecting: Promise<NatsConnection> | undefined;
      const connection = () =>
        (connecting ??= Promise.resolve(open()).catch((error: unknown) => {
          connecting = undefined;
          throw MicroError.from(error, ID);
        }));
      let requesting: Promise<NatsRequests> | undefined;
      let requests: NatsRequests | undefined;
      const requester = () =>
        (requesting ??= connection().then(
          (nc) => (requests = createNatsRequests(nc)),
          (error: unknown) => {
            requesting = undefined;
            throw error;
          },
        ));
      return {
        unary: (address, method, request, call) =>
          unary(
            requests,
            requester,
            requestTimeout,
            attemptTimeout,
            codec,
            address,
            method,
            request,
            call,
          ),
        stream: (address, method, requests, call) =>
          stream(connection, requestTimeout, codec, address, method, requests, call),
        async close() {
          requests?.close();
          requests = undefined;
          requesting = undefined;
          const current = connecting;
          connecting = undefined;
          if (current && options.connection === undefined) {
            await (await current.catch(() => undefined))?.close();
          }
        },
      };
    },
  };
}

/** The time a call may take: until its deadline, else the transport's request timeout. */
function budget(call: OutboundCall, fallback: number, path: string): number {
  if (call.signal?.aborted) throw canceled(ID, `call to ${path} was cancelled`);
  if (call.deadline === undefined) return fallback;
  const left = call.deadline - Date.now();
  if (left <= 0) throw timeout(ID, `deadline exceeded before calling ${path}`);
  return left;
}

/** A NATS failure as a micro error: no responders is a 503 (retry elsewhere). */
function natsError(error: unknown, address: string, path: string): MicroError {
  if (error instanceof MicroError) return error;
  if (
    error instanceof NoRespondersError ||
    (error instanceof RequestError && error.isNoResponders())
  ) {
    return serviceUnavailable(ID, `no node listens on ${address} (stopped or gone) for ${path}`);
  }
  if (
    error instanceof TimeoutError ||
    (error instanceof RequestError && error.cause instanceof TimeoutError)
  ) {
    return timeout(ID, `deadline exceeded calling ${path} on ${address}`);
  }
  const text = errorText(error);
  if (/max.?payload/i.test(text)) return new MicroError(ID, 413, `request to ${path}: ${text}`);
  return serviceUnavailable(ID, `calling ${path} on ${address} failed: ${text}`);
}

/** Rejects when `signal` aborts, so a cancelled call returns at once. */
function aborted(signal: AbortSignal | undefined, path: string): Promise<never> | undefined {
  if (!signal) return undefined;
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(canceled(ID, `call to ${path} was cancelled`)), {
      once: true,
    }),
  );
}

async function unary<I, O>(
  ready: NatsRequests | undefined,
  requester: () => Promise<NatsRequests>,
  fallback: number,
  attemptTimeout: number,
  codec: Codec,
  address: string,
  method: MethodDescriptor<I, O>,
  request: I,
  call: OutboundCall,
): Promise<O> {
  const path = method.endpoint.path;
  const requests = ready ?? (await requester());
  const nc = requests.connection;
  const left = budget(call, fallback, path);
  const wait = Math.min(left, attemptTimeout);
  let reply: Msg;
  // Only a call that can be cancelled carries an id, for the server to match its cancel.
  const { signal } = call;
  const callId = signal ? nuid.next() : undefined;
  const onAbort = signal
    ? () =>
        nc.publish(`${address}.cancel`, undefined, {
          headers: wireHeaders("cancel", callId === undefined ? {} : { callId }),
        })
    : undefined;
  if (onAbort) signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const headers = wireHeaders("unary", { path, metadata: call.metadata });
    if (call.deadline !== undefined) headers.set(DEADLINE, String(call.deadline));
    if (callId !== undefined) headers.set(CALL_ID, callId);
    if (codec.name === "json") headers.set(CODEC, "json");
    const pending = requests.request(
      address,
      codec.encode(request, method.input),
      headers,
      wait,
      `${path} on ${address}`,
    );
    const cancel = aborted(call.signal, path);
    reply = await (cancel ? Promise.race([pending, cancel]) : pending);
  } catch (error) {
    const failure = natsError(error, address, path);
    if (failure.code === 408 && wait < left) {
      throw serviceUnavailable(
        ID,
        `no reply from ${address} within ${wait} ms for ${path}; the node may be gone`,
      );
    }
    throw failure;
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  if (reply.headers?.hasError && reply.headers.code === 503) {
    throw serviceUnavailable(ID, `no node listens on ${address} for ${path}`);
  }
  call.onResponseMetadata?.(readMetadata(reply.headers));
  const failure = readError(reply.headers);
  if (failure) throw failure;
  return codec.decode(reply.data, method.output);
}

function stream<I, O>(
  connection: () => Promise<NatsConnection>,
  fallback: number,
  codec: Codec,
  address: string,
  method: MethodDescriptor<I, O>,
  requests: AsyncIterable<I>,
  call: OutboundCall,
): AsyncIterable<O> {
  const path = method.endpoint.path;
  return {
    async *[Symbol.asyncIterator]() {
      const nc = await connection();
      const openWait = Math.min(budget(call, fallback, path), fallback);
      const inbox = createInbox();
      const incoming = createMessageQueue<Msg>();
      const sub = nc.subscribe(inbox, { callback: (_e, msg) => incoming.push(msg) });
      let serverInbox: string | undefined;
      let finished = false;
      const window = createSendWindow();
      const consumed = createAckCounter((count) => {
        if (serverInbox && !finished) {
          nc.publish(serverInbox, undefined, { headers: wireHeaders("ack", { ack: count }) });
        }
      });
      const cancel = (reason: MicroError) => {
        incoming.end(reason);
        window.close();
        if (serverInbox && !finished) {
          nc.publish(serverInbox, undefined, { headers: wireHeaders("cancel", { error: reason }) });
        }
      };
      const onAbort = () => cancel(canceled(ID, `call to ${path} was cancelled`));
      call.signal?.addEventListener("abort", onAbort, { once: true });
      const deadlineTimer =
        call.deadline === undefined
          ? undefined
          : setTimeout(
              () => cancel(timeout(ID, `deadline exceeded calling ${path}`)),
              Math.max(0, call.deadline - Date.now()),
            );
      const openTimer = setTimeout(() => {
        if (!serverInbox)
          incoming.end(timeout(ID, `${address} did not open ${path} within ${openWait} ms`));
      }, openWait);
      try {
        const openHeaders = wireHeaders("open", {
          path,
          metadata: call.metadata,
          ...(call.deadline === undefined ? {} : { deadline: call.deadline }),
        });
        if (codec.name === "json") openHeaders.set(CODEC, "json");
        nc.publish(address, undefined, { reply: inbox, headers: openHeaders });
        for await (const msg of incoming) {
          if (msg.headers?.hasError && msg.headers.code === 503) {
            throw serviceUnavailable(ID, `no node listens on ${address} for ${path}`);
          }
          const kind = msg.headers?.get(KIND);
          if (kind === "ready" && !serverInbox && msg.reply) {
            clearTimeout(openTimer);
            const to = msg.reply;
            serverInbox = to;
            void (async () => {
              try {
                for await (const request of requests) {
                  await window.acquire();
                  if (finished) return;
                  nc.publish(to, codec.encode(request, method.input), {
                    headers: wireHeaders("msg"),
                  });
                }
                if (!finished) nc.publish(to, undefined, { headers: wireHeaders("end") });
              } catch (error) {
                cancel(MicroError.from(error, ID));
              }
            })();
          } else if (kind === "ack") {
            window.ack(Number(msg.headers?.get(ACK)));
          } else if (kind === "msg") {
            yield codec.decode(msg.data, method.output);
            consumed();
          } else if (kind === "end") {
            call.onResponseMetadata?.(readMetadata(msg.headers));
            finished = true;
            return;
          } else if (kind === "error") {
            finished = true;
            call.onResponseMetadata?.(readMetadata(msg.headers));
            throw (
              readError(msg.headers) ?? new MicroError(ID, 502, `malformed error from ${address}`)
            );
          }
        }
      } catch (error) {
        throw natsError(error, address, path);
      } finally {
        if (!finished) cancel(canceled(ID, `stream of ${path} closed by the caller`));
        finished = true;
        window.close();
        clearTimeout(openTimer);
        clearTimeout(deadlineTimer);
        call.signal?.removeEventListener("abort", onAbort);
        sub.unsubscribe();
      }
    },
  };
}

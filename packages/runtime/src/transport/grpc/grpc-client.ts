import type { EventEmitter } from "node:events";
import {
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  Client,
  type ClientDuplexStream,
  type ClientWritableStream,
  type Metadata as GrpcMetadata,
} from "@grpc/grpc-js";
import { MicroError, badRequest, serviceUnavailable } from "../../errors/micro-error.js";
import type { MessageType, MethodDescriptor } from "../../method/method-descriptor.js";
import type { OutboundCall, TransportClient } from "../transport.js";
import { createDeadlineWheel } from "../deadline-wheel.js";
import { GrpcCallState } from "./grpc-call-state.js";
import { toGrpcRequestMetadata } from "./grpc-metadata.js";

/** What the transport's options fix for every client. */
export interface GrpcClientSettings {
  readonly credentials: ChannelCredentials;
  readonly channelOptions: ChannelOptions;
}

type Serialize<T> = (message: T) => Buffer;
type Deserialize<T> = (bytes: Buffer) => T;

/** Serializers per message type, so a call does not allocate its own closures. */
const serializers = new WeakMap<MessageType<unknown>, Serialize<unknown>>();
const deserializers = new WeakMap<MessageType<unknown>, Deserialize<unknown>>();

function serializer<T>(type: MessageType<T>): Serialize<T> {
  let fn = serializers.get(type as MessageType<unknown>);
  if (!fn) {
    fn = (message) => {
      const bytes = type.encode(message as T).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
    serializers.set(type as MessageType<unknown>, fn);
  }
  return fn as Serialize<T>;
}

function deserializer<T>(type: MessageType<T>): Deserialize<T> {
  let fn = deserializers.get(type as MessageType<unknown>);
  if (!fn) {
    fn = (bytes) => type.decode(bytes);
    deserializers.set(type as MessageType<unknown>, fn);
  }
  return fn as Deserialize<T>;
}

/** No deadline for grpc-js: the call state enforces it and sends it as `grpc-timeout`. */
const NO_CALL_OPTIONS: GrpcCallOptions = {};

/**
 * The calling side of the gRPC transport: one grpc-js `Client` (one channel) per address,
 * created on first use and kept until `close()`. Every kind maps onto grpc-js's four
 * call shapes; request streams are written only as fast as the connection drains.
 */
export function createGrpcClient(settings: GrpcClientSettings): TransportClient {
  const clients = new Map<string, Client>();
  const deadlines = createDeadlineWheel();
  let closed = false;

  function clientFor(address: string): Client {
    let client = clients.get(address);
    if (!client) {
      if (closed) throw serviceUnavailable("micro.client", "the transport client is closed");
      try {
        client = new Client(address, settings.credentials, settings.channelOptions);
      } catch (error) {
        throw badRequest(
          "micro.client",
          `invalid gRPC address ${JSON.stringify(address)}: ${(error as Error).message}`,
        );
      }
      clients.set(address, client);
    }
    return client;
  }

  /** Checks the call can start, and follows it from here on. */
  function prepare(
    address: string,
    method: MethodDescriptor,
    call: OutboundCall,
  ): { client: Client; metadata: GrpcMetadata; state: GrpcCallState } {
    const state = new GrpcCallState(method, call, deadlines);
    const metadata = toGrpcRequestMetadata(call.metadata, "micro.client", state.timeoutMs);
    return { client: clientFor(address), metadata, state };
  }

  function unary<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    call: OutboundCall,
  ): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const { client, metadata, state } = prepare(address, method, call);
      const waitForStatus = call.onResponseMetadata !== undefined;
      let settle: (() => void) | undefined;
      const grpcCall = client.makeUnaryRequest(
        method.endpoint.path,
        serializer(method.input),
        deserializer(method.output),
        request,
        metadata,
        NO_CALL_OPTIONS,
        (error, value) => {
          state.finish();
          settle = error ? () => reject(state.toMicroError(error)) : () => resolve(value as O);
          if (!waitForStatus) settle();
        },
      );
      // Without a metadata callback the grpc-js callback says all: skip the listeners.
      state.attach(grpcCall, waitForStatus);
      // Headers and trailers are known only at the status, which follows the callback.
      if (waitForStatus) grpcCall.on("status", () => settle?.());
    });
  }

  async function* stream<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    requests: AsyncIterable<I>,
    call: OutboundCall,
  ): AsyncGenerator<O> {
    const { client, metadata, state } = prepare(address, method, call);
    const path = method.endpoint.path;
    const serialize = serializer(method.input);
    const deserialize = deserializer(method.output);
    try {
      switch (method.kind) {
        case "unary":
        case "server_streaming": {
          const request = await firstRequest(requests, method.kind);
          const grpcCall = client.makeServerStreamRequest(
            path,
            serialize,
            deserialize,
            request,
            metadata,
            NO_CALL_OPTIONS,
          );
          state.attach(grpcCall);
          yield* readResponses<O>(grpcCall, state);
          return;
        }
        case "client_streaming": {
          let grpcCall: ClientWritableStream<I> | undefined;
          const response = new Promise<O>((resolve, reject) => {
            grpcCall = client.makeClientStreamRequest(
              path,
              serialize,
              deserialize,
              metadata,
              NO_CALL_OPTIONS,
              (error, value) => (error ? reject(state.toMicroError(error)) : resolve(value as O)),
            );
          });
          const writable = grpcCall as unknown as ClientWritableStream<I>;
          state.attach(writable);
          void writeRequests(requests, writable, state);
          const value = await response;
          yield value;
          return;
        }
        case "bidi_streaming": {
          const grpcCall = client.makeBidiStreamRequest(
            path,
            serialize,
            deserialize,
            metadata,
            NO_CALL_OPTIONS,
          );
          state.attach(grpcCall);
          void writeRequests(requests, grpcCall, state);
          yield* readResponses<O>(grpcCall, state);
          return;
        }
      }
    } finally {
      state.abandon();
    }
  }

  return {
    unary,
    stream,
    async close() {
      closed = true;
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}

/** Reads the single request of a unary or server-streaming call from the request stream. */
async function firstRequest<I>(requests: AsyncIterable<I>, kind: string): Promise<I> {
  const iterator = requests[Symbol.asyncIterator]();
  let first: IteratorResult<I>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw MicroError.from(error, "micro.client");
  }
  iterator.return?.()?.catch(() => undefined);
  if (first.done) throw badRequest("micro.client", `a ${kind} call needs one request message`);
  return first.value;
}

/** Response messages as they arrive; the readable's own buffer bounds what is read ahead. */
async function* readResponses<O>(
  readable: AsyncIterable<unknown>,
  state: GrpcCallState,
): AsyncGenerator<O> {
  try {
    for await (const message of readable) yield message as O;
  } catch (error) {
    throw state.toMicroError(error);
  }
}

/**
 * Writes the caller's requests, waiting for `drain` whenever grpc-js's buffer is full, and
 * half-closes at the end. Stops early if the call already finished; a failing request
 * stream cancels the call and becomes the error the caller sees.
 */
async function writeRequests<I>(
  requests: AsyncIterable<I>,
  writable: ClientWritableStream<I> | ClientDuplexStream<I, unknown>,
  state: GrpcCallState,
): Promise<void> {
  const iterator = requests[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (state.finished) {
        if (!next.done) iterator.return?.()?.catch(() => undefined);
        return;
      }
      if (next.done) {
        writable.end();
        return;
      }
      if (!writable.write(next.value)) await drained(writable, state);
    }
  } catch (error) {
    state.failRequests(MicroError.from(error, "micro.client"));
  }
}

function drained(
  writable: Pick<EventEmitter, "once" | "removeListener">,
  state: GrpcCallState,
): Promise<void> {
  if (state.finished) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      writable.removeListener("drain", done);
      writable.removeListener("status", done);
      resolve();
    };
    writable.once("drain", done);
    writable.once("status", done);
  });
}

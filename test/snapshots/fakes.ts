// Recording fakes of the runtime's Client and Server contracts, so the snapshot tests check
// exactly what generated code asks of the runtime, without transports or brokers.
import type {
  CallOptions,
  Client,
  MethodDescriptor,
  PublishOptions,
  Server,
  ServiceDescriptor,
  ServiceImplementation,
  SubscribeOptions,
  Subscriber,
  TopicDescriptor,
} from "@micro-ts/runtime";

/** One recorded client operation. */
export type ClientCall =
  | {
      kind: "call";
      service: string;
      method: MethodDescriptor;
      request: unknown;
      options?: CallOptions;
    }
  | {
      kind: "stream";
      service: string;
      method: MethodDescriptor;
      requests: unknown[];
      options?: CallOptions;
    }
  | { kind: "publish"; topic: TopicDescriptor; message: unknown; options?: PublishOptions };

/** A client whose calls answer with `reply(method, request)` and streams with `streamReply`. */
export function createRecordingClient(
  reply: (method: MethodDescriptor, request: unknown) => unknown,
  streamReply: (method: MethodDescriptor, requests: unknown[]) => unknown[] = (m, r) =>
    r.map((x) => reply(m, x)),
): Client & { calls: ClientCall[] } {
  const calls: ClientCall[] = [];
  return {
    calls,
    async call<I, O>(
      service: string,
      method: MethodDescriptor<I, O>,
      request: I,
      options?: CallOptions,
    ) {
      calls.push({ kind: "call", service, method, request, ...(options ? { options } : {}) });
      return reply(method, request) as O;
    },
    async *stream<I, O>(
      service: string,
      method: MethodDescriptor<I, O>,
      requests: AsyncIterable<I>,
      options?: CallOptions,
    ): AsyncIterable<O> {
      const received: unknown[] = [];
      for await (const r of requests) received.push(r);
      calls.push({
        kind: "stream",
        service,
        method,
        requests: received,
        ...(options ? { options } : {}),
      });
      for (const out of streamReply(method, received)) yield out as O;
    },
    async publish<T>(topic: TopicDescriptor<T>, message: T, options?: PublishOptions) {
      calls.push({ kind: "publish", topic, message, ...(options ? { options } : {}) });
    },
    async close() {},
  };
}

/** A server that keeps what was registered on it. */
export function createRecordingServer(): Server & {
  services: { descriptor: ServiceDescriptor; implementation: ServiceImplementation }[];
  subscriptions: {
    topic: TopicDescriptor;
    subscriber: Subscriber<unknown>;
    options?: SubscribeOptions;
  }[];
} {
  const services: { descriptor: ServiceDescriptor; implementation: ServiceImplementation }[] = [];
  const subscriptions: {
    topic: TopicDescriptor;
    subscriber: Subscriber<unknown>;
    options?: SubscribeOptions;
  }[] = [];
  return {
    services,
    subscriptions,
    handle(descriptor, implementation) {
      services.push({ descriptor, implementation });
    },
    subscribe<T>(topic: TopicDescriptor<T>, subscriber: Subscriber<T>, options?: SubscribeOptions) {
      subscriptions.push({
        topic,
        subscriber: subscriber as Subscriber<unknown>,
        ...(options ? { options } : {}),
      });
    },
    async start() {},
    async stop() {},
    address: undefined,
  };
}

/** An async iterable of the given values. */
export async function* iterate<T>(...values: T[]): AsyncIterable<T> {
  for (const v of values) yield v;
}

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of iterable) out.push(v);
  return out;
}

import type { Broker } from "../broker/broker.js";
import type { CallOptions, PublishOptions } from "../context/call-options.js";
import { MicroError, canceled, serviceUnavailable, timeout } from "../errors/micro-error.js";
import { mergeMetadata } from "../metadata/metadata.js";
import type { MethodDescriptor, TopicDescriptor } from "../method/method-descriptor.js";
import type { ServiceNode } from "../registry/registry.js";
import type { Next, Selector } from "../selector/selector.js";
import type { Transport } from "../transport/transport.js";
import type { Client, ClientCallFn, ClientRequest, ClientWrapper } from "./client.js";
import { createMessageIds } from "./message-ids.js";
import { type Backoff, exponentialBackoff, isRetryable, sleep } from "./retry.js";

/** Options of `createClient`. */
export interface ClientOptions {
  /** Carries the calls; nodes registered with another transport are not used. */
  readonly transport: Transport;
  /** Finds a node per call, from the registry, and learns which nodes fail. */
  readonly selector: Selector;
  /** Needed by `publish` only. */
  readonly broker?: Broker;
  /** Budget of a unary call in ms, retries included. Default 5000, as go-micro. */
  readonly timeout?: number;
  /** Retries after the first attempt on a retryable error. Default 2. */
  readonly retries?: number;
  /** Pause before each retry. Default `exponentialBackoff` (25 ms doubling, jittered, max 1 s). */
  readonly backoff?: Backoff;
  /** Applied to every call, the first one outermost. Default none. */
  readonly wrappers?: readonly ClientWrapper[];
}

const CLIENT_ID = "micro.client";
const DEFAULT_TIMEOUT = 5000;
const DEFAULT_RETRIES = 2;

/**
 * The client every generated client calls through. A call given its handler's context as
 * `parent` inherits that call's metadata, deadline and signal, so a caller's budget
 * bounds the whole chain of nested calls.
 */
export function createClient(options: ClientOptions): Client {
  const transportClient = options.transport.client();
  const defaultTimeout = options.timeout ?? DEFAULT_TIMEOUT;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const backoff = options.backoff ?? exponentialBackoff;
  const messageIds = createMessageIds();
  const speaksOurTransport = (node: ServiceNode) =>
    node.metadata["transport"] === undefined ||
    node.metadata["transport"] === options.transport.name;
  const selectOptions = { filter: speaksOurTransport };

  function prepare(
    service: string,
    method: MethodDescriptor,
    request: unknown,
    callOptions: CallOptions | undefined,
  ): ClientRequest {
    const parent = callOptions?.parent;
    const budget = callOptions?.timeout ?? (method.kind === "unary" ? defaultTimeout : undefined);
    const explicit = callOptions?.deadline;
    const deadline = earliest(
      earliest(budget === undefined ? undefined : Date.now() + budget, parent?.deadline),
      explicit instanceof Date ? explicit.getTime() : explicit,
    );
    const own = callOptions?.signal;
    const inherited = parent?.signal;
    return {
      service,
      method,
      request,
      metadata:
        parent === undefined && callOptions?.metadata === undefined
          ? {}
          : mergeMetadata(parent?.metadata, callOptions?.metadata),
      deadline,
      signal: own && inherited ? AbortSignal.any([own, inherited]) : (own ?? inherited),
      options: callOptions ?? {},
    };
  }

  /** Runs `attempt` on selected nodes until it succeeds or a retry is pointless. */
  async function withRetries<T>(
    request: ClientRequest,
    maxRetries: number,
    attempt: (address: string) => Promise<T>,
  ): Promise<T> {
    const callOptions = request.options;
    let next: Next | undefined;
    for (let tries = 0; ; tries++) {
      let node: ServiceNode | undefined;
      try {
        checkBudget(request);
        if (callOptions.address !== undefined) {
          node = { id: callOptions.address, address: callOptions.address, metadata: {} };
        } else {
          next ??=
            options.selector.selectCached?.(request.service, selectOptions) ??
            (await options.selector.select(request.service, selectOptions));
          node = next();
        }
        const result = await attempt(node.address);
        if (callOptions.address === undefined)
          options.selector.mark(request.service, node, undefined);
        return result;
      } catch (thrown) {
        const error = MicroError.from(thrown, CLIENT_ID);
        if (node && callOptions.address === undefined) {
          options.selector.mark(request.service, node, error);
        }
        const retriesLeft = (callOptions.retries ?? maxRetries) - tries;
        if (!isRetryable(error) || retriesLeft <= 0 || budgetSpent(request)) throw error;
        await sleep(backoff(tries + 1), request.signal);
      }
    }
  }

  const unary: ClientCallFn = (request) =>
    withRetries(request, retries, (address) =>
      transportClient.unary(address, request.method, request.request, {
        metadata: request.metadata,
        deadline: request.deadline,
        signal: request.signal,
        ...(request.options.onResponseMetadata
          ? { onResponseMetadata: request.options.onResponseMetadata }
          : {}),
      }),
    );

  const stream: ClientCallFn = (request) => {
    // Only a server stream can be replayed: its single request is still in hand. Client
    // and bidi streams may have consumed part of the caller's iterable already.
    const replayable = request.method.kind === "server_streaming";
    return withRetries(request, replayable ? retries : 0, async (address) => {
      const iterable = transportClient.stream(
        address,
        request.method,
        request.request as AsyncIterable<unknown>,
        { metadata: request.metadata, deadline: request.deadline, signal: request.signal },
      );
      // Pull the first message here, so connection failures surface inside the retry loop.
      const iterator = iterable[Symbol.asyncIterator]();
      const first = await iterator.next();
      return prepend(first, iterator);
    });
  };

  const wrappers = options.wrappers ?? [];
  const wrap = (fn: ClientCallFn) => wrappers.reduceRight((next, wrapper) => wrapper(next), fn);
  const wrappedUnary = wrap(unary);
  const wrappedStream = wrap(stream);

  return {
    call<I, O>(
      service: string,
      method: MethodDescriptor<I, O>,
      request: I,
      callOptions?: CallOptions,
    ) {
      return wrappedUnary(prepare(service, method, request, callOptions)) as Promise<O>;
    },

    stream<I, O>(
      service: string,
      method: MethodDescriptor<I, O>,
      requests: AsyncIterable<I>,
      callOptions?: CallOptions,
    ): AsyncIterable<O> {
      return {
        [Symbol.asyncIterator]() {
          const prepared = prepare(service, method, requests, callOptions);
          return lazyIterator(() => wrappedStream(prepared) as Promise<AsyncIterable<O>>);
        },
      };
    },

    // Not an async function (one promise less per message); every failure still rejects.
    publish<T>(
      topic: TopicDescriptor<T>,
      message: T,
      publishOptions?: PublishOptions,
    ): Promise<void> {
      try {
        if (!options.broker) {
          throw serviceUnavailable(
            CLIENT_ID,
            `cannot publish to ${topic.topic}: the client has no broker`,
          );
        }
        const own = {
          "content-type": "application/proto",
          "micro-topic": topic.topic,
          "micro-id": messageIds.next(),
        };
        const parent = publishOptions?.parent;
        const header =
          parent === undefined && publishOptions?.metadata === undefined
            ? own
            : mergeMetadata(parent?.metadata, publishOptions?.metadata, own);
        return options.broker.publish(topic.topic, {
          header,
          body: topic.type.encode(message).finish(),
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    close(): Promise<void> {
      return transportClient.close();
    },
  };
}

/** The earlier of two optional deadlines. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function checkBudget(request: ClientRequest): void {
  if (request.signal?.aborted) {
    throw canceled(CLIENT_ID, `call to ${request.method.endpoint.name} was cancelled`);
  }
  if (request.deadline !== undefined && Date.now() >= request.deadline) {
    throw timeout(CLIENT_ID, `deadline exceeded before calling ${request.method.endpoint.name}`);
  }
}

function budgetSpent(request: ClientRequest): boolean {
  return (
    request.signal?.aborted === true ||
    (request.deadline !== undefined && Date.now() >= request.deadline)
  );
}

/** Re-attaches an already-pulled first result in front of the rest of a stream. */
function prepend<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done) return;
      yield first.value;
      try {
        for (let item = await rest.next(); !item.done; item = await rest.next()) yield item.value;
      } finally {
        await rest.return?.();
      }
    },
  };
}

/** An iterator that starts the call on the first `next()`, so merely creating a stream sends nothing. */
function lazyIterator<T>(start: () => Promise<AsyncIterable<T>>): AsyncIterator<T> {
  let iterator: Promise<AsyncIterator<T>> | undefined;
  const get = () => (iterator ??= start().then((iterable) => iterable[Symbol.asyncIterator]()));
  return {
    next: async () => (await get()).next(),
    return: async (value?: unknown) => {
      if (!iterator) return { done: true, value: undefined as T };
      const it = await get();
      return it.return ? it.return(value) : { done: true, value: undefined as T };
    },
  };
}

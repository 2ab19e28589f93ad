import { randomUUID } from "node:crypto";
import type { Broker, BrokerSubscription } from "../broker/broker.js";
import { createJsonCodec } from "../codec/json-codec.js";
import { createProtoCodec } from "../codec/proto-codec.js";
import type { MessageContext } from "../context/handler-context.js";
import { type Logger, createConsoleLogger } from "../logger/logger.js";
import type { ServiceDescriptor, TopicDescriptor } from "../method/method-descriptor.js";
import type { Registry, ServiceRecord } from "../registry/registry.js";
import type { Transport, TransportListener } from "../transport/transport.js";
import type {
  HandlerWrapper,
  ServiceImplementation,
  Subscriber,
  SubscriberWrapper,
} from "./handler.js";
import { createInFlight } from "./in-flight.js";
import { RouteTable } from "./route-table.js";
import type { Server, SubscribeOptions } from "./server.js";

/** Options of `createServer`. */
export interface ServerOptions {
  /** The service name clients look up, e.g. `greeter`. */
  readonly name: string;
  /** Default `latest`. */
  readonly version?: string;
  /** Node id in the registry. Default `<name>-<uuid>`. */
  readonly id?: string;
  /** Added to the node's registry metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** `host:port` to listen on. Default `127.0.0.1:0` (a free port, this machine only). */
  readonly address?: string;
  /** Address registered for clients to dial, when it differs from the listener's (NAT, containers). */
  readonly advertise?: string;
  readonly transport: Transport;
  readonly registry: Registry;
  /** Needed only when subscribers are registered. */
  readonly broker?: Broker;
  /** How long the registry keeps the node without a refresh, ms. Default 90 000 (go-micro's). */
  readonly registerTtl?: number;
  /** How often the node re-registers, ms; must be below the TTL. Default 30 000. */
  readonly registerInterval?: number;
  /** Largest message accepted or sent, bytes. Default 4 MiB (gRPC's default). */
  readonly maxMessageBytes?: number;
  /** How long `stop()` waits for in-flight calls and messages, ms. Default 10 000. */
  readonly drainTimeout?: number;
  /** Around every handler, the first one outermost. */
  readonly wrappers?: readonly HandlerWrapper[];
  /** Around every subscriber, the first one outermost. */
  readonly subscriberWrappers?: readonly SubscriberWrapper[];
  /** Default: a console logger named after the service. */
  readonly logger?: Logger;
}

interface PendingSubscriber {
  readonly topic: TopicDescriptor;
  readonly subscriber: Subscriber<unknown>;
  readonly queue: string | undefined;
}

/**
 * The server behind every service: routes calls to handlers, feeds topics to
 * subscribers, and keeps its node registered (TTL plus periodic refresh) until stopped.
 */
export function createServer(options: ServerOptions): Server {
  const logger = options.logger ?? createConsoleLogger({ name: options.name });
  const registerTtl = options.registerTtl ?? 90_000;
  const registerInterval = options.registerInterval ?? 30_000;
  if (registerInterval >= registerTtl) {
    throw new RangeError(
      `register interval (${registerInterval} ms) must be shorter than the register TTL (${registerTtl} ms), or nodes expire between refreshes`,
    );
  }
  const drainTimeout = options.drainTimeout ?? 10_000;
  const inFlight = createInFlight();
  const routes = new RouteTable({
    service: options.name,
    wrappers: options.wrappers ?? [],
    inFlight,
    logger,
  });
  const pending: PendingSubscriber[] = [];
  const id = options.id ?? `${options.name}-${randomUUID()}`;
  const codecs = { proto: createProtoCodec(), json: createJsonCodec() };

  let listener: TransportListener | undefined;
  let record: ServiceRecord | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let subscriptions: BrokerSubscription[] = [];

  const wrapSubscriber = (subscriber: Subscriber<unknown>) =>
    (options.subscriberWrappers ?? []).reduceRight((next, wrapper) => wrapper(next), subscriber);

  function failed(topic: TopicDescriptor, error: unknown): void {
    logger.error("subscriber failed", { topic: topic.topic, error: String(error) });
  }

  async function subscribeAll(broker: Broker): Promise<void> {
    for (const { topic, subscriber, queue } of pending) {
      const wrapped = wrapSubscriber(subscriber);
      const subscription = await broker.subscribe(
        topic.topic,
        // Not an async function: a subscriber that returns at once costs no promise.
        (message) => {
          let result: unknown;
          try {
            const codec = message.header["content-type"]?.includes("json")
              ? codecs.json
              : codecs.proto;
            const decoded = codec.decode(message.body, topic.type);
            const context: MessageContext = { topic: topic.topic, metadata: { ...message.header } };
            result = wrapped(decoded, context);
          } catch (error) {
            failed(topic, error);
            return;
          }
          // Only a handler still running when this returns is in flight: `stop` cannot run
          // in between, so a subscriber that returns at once is not counted at all.
          if (typeof (result as PromiseLike<unknown> | undefined)?.then !== "function") return;
          const done = inFlight.begin();
          return Promise.resolve(result).then(done, (error: unknown) => {
            failed(topic, error);
            done();
          });
        },
        queue === undefined ? {} : { queue },
      );
      subscriptions.push(subscription);
    }
  }

  function buildRecord(address: string): ServiceRecord {
    return {
      name: options.name,
      version: options.version ?? "latest",
      metadata: {},
      endpoints: [...routes.routes()].map((route) => route.method.endpoint),
      nodes: [
        {
          id,
          address,
          metadata: {
            ...options.metadata,
            transport: options.transport.name,
            registry: options.registry.name,
            ...(options.broker ? { broker: options.broker.name } : {}),
            server: "micro-ts",
          },
        },
      ],
    };
  }

  return {
    handle(service: ServiceDescriptor, implementation: ServiceImplementation): void {
      if (listener)
        throw new Error(
          `cannot add ${service.typeName} to ${options.name}: the server is already started`,
        );
      routes.add(service, implementation);
    },

    subscribe<T>(
      topic: TopicDescriptor<T>,
      subscriber: Subscriber<T>,
      subscribeOptions?: SubscribeOptions,
    ): void {
      if (listener)
        throw new Error(`cannot subscribe to ${topic.topic}: the server is already started`);
      if (!options.broker) {
        throw new Error(
          `cannot subscribe to ${topic.topic}: the server was created without a broker`,
        );
      }
      pending.push({
        topic,
        subscriber: subscriber as Subscriber<unknown>,
        queue: subscribeOptions?.queue ?? topic.queue,
      });
    },

    async start(): Promise<void> {
      if (listener) throw new Error(`server ${options.name} is already started`);
      listener = await options.transport.listen({
        address: options.address ?? "127.0.0.1:0",
        router: routes,
        maxMessageBytes: options.maxMessageBytes ?? 4 * 1024 * 1024,
      });
      try {
        if (options.broker) await subscribeAll(options.broker);
        record = buildRecord(options.advertise ?? listener.address);
        await options.registry.register(record, { ttl: registerTtl });
      } catch (error) {
        await Promise.allSettled(subscriptions.map((s) => s.unsubscribe()));
        subscriptions = [];
        await listener.close(0);
        listener = undefined;
        throw error;
      }
      const registered = record;
      heartbeat = setInterval(() => {
        options.registry.register(registered, { ttl: registerTtl }).catch((error: unknown) => {
          logger.warn("re-register failed; will retry", {
            registry: options.registry.name,
            error: String(error),
          });
        });
      }, registerInterval);
      heartbeat.unref();
    },

    async stop(): Promise<void> {
      if (!listener) return;
      const closing = listener;
      listener = undefined;
      clearInterval(heartbeat);
      const started = Date.now();
      if (record) {
        await options.registry.deregister(record).catch((error: unknown) => {
          logger.warn("deregister failed; the registry forgets the node after its TTL", {
            error: String(error),
          });
        });
      }
      await Promise.allSettled(subscriptions.map((s) => s.unsubscribe()));
      subscriptions = [];
      await closing.close(drainTimeout);
      const drained = await inFlight.drained(Math.max(0, drainTimeout - (Date.now() - started)));
      if (!drained) logger.warn("stopped with work still in flight", { inFlight: inFlight.count });
    },

    get address(): string | undefined {
      return record?.nodes[0]?.address ?? listener?.address;
    },
  };
}

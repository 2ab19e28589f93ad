import type { ServiceDescriptor, TopicDescriptor } from "../method/method-descriptor.js";
import type { ServiceImplementation, Subscriber } from "./handler.js";

/** Subscription settings of a server subscriber. */
export interface SubscribeOptions {
  /** Queue group; defaults to the topic's queue from the proto, else none (fan-out). */
  readonly queue?: string;
}

/**
 * Serves handlers over a transport and subscribers over a broker, and keeps the node
 * registered while it runs. Generated `registerXHandler(server, impl)` functions call
 * `handle`; `registerXSubscriber` functions call `subscribe`.
 */
export interface Server {
  handle(service: ServiceDescriptor, implementation: ServiceImplementation): void;
  subscribe<T>(
    topic: TopicDescriptor<T>,
    subscriber: Subscriber<T>,
    options?: SubscribeOptions,
  ): void;
  /** Listens, subscribes, registers, then re-registers every interval. */
  start(): Promise<void>;
  /**
   * Deregisters, stops taking new calls, waits for in-flight calls (bounded by the
   * drain timeout), unsubscribes and closes.
   */
  stop(): Promise<void>;
  /** The address the transport listens on, once started. */
  readonly address: string | undefined;
}

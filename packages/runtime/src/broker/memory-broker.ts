import type {
  Broker,
  BrokerHandler,
  BrokerMessage,
  BrokerSubscribeOptions,
  BrokerSubscription,
} from "./broker.js";
import {
  type BrokerErrorHandler,
  logBrokerError,
  planDelivery,
  runHandler,
  validateMessage,
  validateSubscription,
} from "./delivery.js";

/** Settings of the in-process broker. */
export interface MemoryBrokerOptions {
  /** Told when a handler throws or rejects. Default: a line on stderr (`logBrokerError`). */
  readonly onError?: BrokerErrorHandler;
}

interface MemorySubscription {
  readonly topic: string;
  readonly queue: string | undefined;
  readonly handler: BrokerHandler;
}

const ID = "micro.broker.memory";

/**
 * Pub/sub inside one process, for tests and single-process apps. `publish` starts every
 * target handler before it resolves (a synchronous handler has finished by then) but does
 * not wait for asynchronous ones. Each message goes to every subscriber without a queue
 * and to one member of each queue group, rotating through the members.
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  const onError = options.onError ?? logBrokerError;
  const topics = new Map<string, Set<MemorySubscription>>();
  const rotation = new Map<string, number>();

  return {
    name: "memory",

    async connect() {},

    async disconnect() {
      topics.clear();
      rotation.clear();
    },

    async publish(topic: string, message: BrokerMessage) {
      const copy = validateMessage(ID, topic, message);
      const subscribers = [...(topics.get(topic) ?? [])];
      const plan = planDelivery(
        subscribers,
        (subscription) => subscription.queue,
        rotation,
        (queue) => `${topic}\u0000${queue}`,
      );
      const targets = [
        ...plan.everyone,
        ...plan.groups.map((group) => group[0] as MemorySubscription),
      ];
      for (const target of targets) {
        runHandler(target.handler, copy, onError, {
          operation: "handle",
          topic,
          queue: target.queue,
        });
      }
    },

    async subscribe(
      topic: string,
      handler: BrokerHandler,
      subscribeOptions?: BrokerSubscribeOptions,
    ): Promise<BrokerSubscription> {
      const queue = subscribeOptions?.queue;
      validateSubscription(ID, topic, queue);
      const subscription: MemorySubscription = { topic, queue, handler };
      let set = topics.get(topic);
      if (!set) topics.set(topic, (set = new Set()));
      set.add(subscription);
      return {
        topic,
        queue,
        async unsubscribe() {
          const current = topics.get(topic);
          current?.delete(subscription);
          if (current?.size === 0) topics.delete(topic);
        },
      };
    },
  };
}

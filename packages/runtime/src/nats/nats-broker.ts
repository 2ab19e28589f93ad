import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { createFrameEncoder, decodeFrame } from "../broker/broker-frame.js";
import type {
  Broker,
  BrokerHandler,
  BrokerMessage,
  BrokerSubscribeOptions,
  BrokerSubscription,
} from "../broker/broker.js";
import {
  type BrokerErrorHandler,
  checkMessage,
  logBrokerError,
  runHandler,
  validateSubscription,
} from "../broker/delivery.js";
import { MicroError, serviceUnavailable } from "../errors/micro-error.js";
import { type NatsConnectionOptions, connectNats, errorText } from "./nats-connection.js";

/** Settings of the NATS broker. */
export interface NatsBrokerOptions extends NatsConnectionOptions {
  /** Told when a handler throws or a message cannot be decoded. Default: a line on stderr. */
  readonly onError?: BrokerErrorHandler;
  /** Client name shown by the NATS server's monitoring. Default `micro-broker`. */
  readonly name?: string;
}

/** The NATS broker: a broker whose `flush` is always there. */
export interface NatsBroker extends Broker {
  flush(): Promise<void>;
}

const ID = "micro.broker.nats";

/** A NATS subject: dot-separated non-empty tokens, no spaces, no wildcards. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

function checkTopic(topic: string): void {
  if (!SUBJECT.test(topic)) {
    throw new MicroError(
      ID,
      400,
      `nats broker: topic ${JSON.stringify(topic)} is not a NATS subject; use dot-separated ` +
        "tokens without spaces or wildcards, e.g. greeter.greeted",
    );
  }
}

/** Publishes one frame; NATS's own failures become micro errors (413, 503). */
function publishFrame(connection: NatsConnection, topic: string, frame: Uint8Array): void {
  try {
    connection.publish(topic, frame);
  } catch (error) {
    const text = errorText(error);
    if (/max.?payload/i.test(text)) {
      throw new MicroError(ID, 413, `nats broker: message on ${topic} too large: ${text}`);
    }
    throw serviceUnavailable(ID, `nats broker: cannot publish to ${topic}: ${text}`);
  }
}

/**
 * Pub/sub on NATS core: a topic is a subject, a queue is a NATS queue group (each message
 * goes to one member of each group), and headers travel inside the payload (the local
 * broker's frame) so any string survives. Delivery is at-most-once: a message published
 * while a subscriber is disconnected is not replayed to it. The connection reconnects by
 * itself and re-subscribes, so subscriptions survive a NATS restart.
 */
export function createNatsBroker(options: NatsBrokerOptions = {}): NatsBroker {
  const onError = options.onError ?? logBrokerError;
  const subscriptions = new Set<Subscription>();
  let connecting: Promise<NatsConnection> | undefined;
  let connection: NatsConnection | undefined;
  let checkedTopic: string | undefined;
  const frames = createFrameEncoder();

  const ensure = (): Promise<NatsConnection> =>
    (connecting ??= (
      options.connection
        ? Promise.resolve(options.connection)
        : connectNats(ID, options.name ?? "micro-broker", options)
    ).then(
      (opened) => (connection = opened),
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    ));

  return {
    name: "nats",

    async connect() {
      await ensure();
    },

    async disconnect() {
      const current = connecting;
      connecting = undefined;
      connection = undefined;
      if (!current) return;
      const opened = await current.catch(() => undefined);
      if (!opened) return;
      if (options.connection) {
        // Not ours to close: drain only what this broker subscribed.
        await Promise.allSettled([...subscriptions].map((sub) => sub.drain()));
      } else if (!opened.isClosed()) {
        // drain: let queued messages reach their handlers, flush what was published.
        await opened.drain().catch(() => opened.close());
      }
      subscriptions.clear();
    },

    // Not an async function: once connected, a publish costs no promise chain.
    publish(topic: string, message: BrokerMessage): Promise<void> {
      try {
        checkMessage(ID, topic, message);
        // A publisher mostly repeats one topic: the last one that passed needs no new check.
        if (topic !== checkedTopic) {
          checkTopic(topic);
          checkedTopic = topic;
        }
        // Encoded now: the frame is the copy, whatever the caller does with its header later.
        const frame = frames.encode(topic, message);
        if (connection) {
          publishFrame(connection, topic, frame);
          return Promise.resolve();
        }
        return ensure().then((opened) => publishFrame(opened, topic, frame));
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async flush() {
      await (await ensure()).flush();
    },

    async subscribe(
      topic: string,
      handler: BrokerHandler,
      subscribeOptions?: BrokerSubscribeOptions,
    ): Promise<BrokerSubscription> {
      const queue = subscribeOptions?.queue;
      validateSubscription(ID, topic, queue);
      checkTopic(topic);
      const opened = await ensure();
      const context = { operation: "handle" as const, topic, queue };
      const subscription = opened.subscribe(topic, {
        ...(queue === undefined ? {} : { queue }),
        callback: (error, msg) => {
          if (error) {
            onError(error, { ...context, operation: "deliver" });
            return;
          }
          let decoded: BrokerMessage;
          try {
            decoded = decodeFrame(
              topic,
              Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.length),
            );
          } catch (cause) {
            onError(new Error(`malformed message on ${topic}: ${errorText(cause)}`), {
              ...context,
              operation: "deliver",
            });
            return;
          }
          runHandler(handler, decoded, onError, context);
        },
      });
      subscriptions.add(subscription);
      // Make sure the server has the interest before a publish that follows this call.
      await opened.flush();
      return {
        topic,
        queue,
        async unsubscribe() {
          if (!subscriptions.delete(subscription)) return;
          if (!subscription.isClosed()) await subscription.drain().catch(() => undefined);
        },
      };
    },
  };
}

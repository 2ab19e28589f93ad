/** A message as the broker carries it: headers and an encoded body. */
export interface BrokerMessage {
  readonly header: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Receives messages; a rejection is logged and does not stop the subscription. */
export type BrokerHandler = (message: BrokerMessage) => void | Promise<void>;

/** Subscription settings. */
export interface BrokerSubscribeOptions {
  /**
   * Queue group: among subscribers sharing a group, each message goes to exactly one.
   * Without a group every subscriber gets every message.
   */
  readonly queue?: string;
}

/** A live subscription. */
export interface BrokerSubscription {
  readonly topic: string;
  readonly queue: string | undefined;
  unsubscribe(): Promise<void>;
}

/** Topic-based pub/sub between services. */
export interface Broker {
  readonly name: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  publish(topic: string, message: BrokerMessage): Promise<void>;
  /**
   * Resolves once the engine holds every message published so far (NATS: a round trip on
   * the publishing connection), since `publish` resolves before the bytes are sent. Brokers
   * whose `publish` resolves on delivery have none.
   */
  flush?(): Promise<void>;
  subscribe(
    topic: string,
    handler: BrokerHandler,
    options?: BrokerSubscribeOptions,
  ): Promise<BrokerSubscription>;
}

import { MicroError } from "../errors/micro-error.js";
import type { BrokerHandler, BrokerMessage } from "./broker.js";

/** Where a broker error arose, so a logger can say which topic and what failed. */
export interface BrokerErrorContext {
  /**
   * `handle`: a subscriber's handler threw or rejected; `deliver`: a message could not be
   * handed to a subscriber; `register`: keeping subscriptions in the registry failed.
   */
  readonly operation: "handle" | "deliver" | "register";
  readonly topic: string | undefined;
  readonly queue: string | undefined;
}

/** Told about failures no caller is waiting for (handlers run after `publish` returns). */
export type BrokerErrorHandler = (error: unknown, context: BrokerErrorContext) => void;

/** The default error handler: one line on stderr per failure. */
export const logBrokerError: BrokerErrorHandler = (error, context) => {
  const where = context.topic === undefined ? "" : ` on topic ${context.topic}`;
  const group = context.queue === undefined ? "" : ` (queue ${context.queue})`;
  console.error(`micro broker: ${context.operation} failed${where}${group}:`, error);
};

/**
 * Starts a subscriber's handler; a throw or rejection goes to `onError` and never reaches
 * the publisher or stops the subscription.
 */
export function runHandler(
  handler: BrokerHandler,
  message: BrokerMessage,
  onError: BrokerErrorHandler,
  context: BrokerErrorContext,
): void {
  try {
    const result = handler(message);
    if (result instanceof Promise)
      result.catch((error: unknown) => report(onError, error, context));
  } catch (error) {
    report(onError, error, context);
  }
}

/** A module function, not a closure per message: runHandler runs for every delivery. */
function report(onError: BrokerErrorHandler, error: unknown, context: BrokerErrorContext): void {
  try {
    onError(error, context);
  } catch {
    // An error handler that throws must not take the broker down with it.
  }
}

/** Who gets one message: every ungrouped subscriber, and one member per queue group. */
export interface DeliveryPlan<T> {
  readonly everyone: T[];
  /** Per group, its members in the order to try them: the first is this message's pick. */
  readonly groups: T[][];
}

/**
 * Plans the delivery of one message. Groups rotate through their members per message, so
 * members share the load evenly; the rest of the order is the fallback if one is down.
 */
export function planDelivery<T>(
  subscribers: readonly T[],
  queueOf: (subscriber: T) => string | undefined,
  rotation: Map<string, number>,
  rotationKey: (queue: string) => string,
): DeliveryPlan<T> {
  const everyone: T[] = [];
  const members = new Map<string, T[]>();
  for (const subscriber of subscribers) {
    const queue = queueOf(subscriber);
    if (queue === undefined) everyone.push(subscriber);
    else {
      const group = members.get(queue);
      if (group) group.push(subscriber);
      else members.set(queue, [subscriber]);
    }
  }
  const groups: T[][] = [];
  for (const [queue, group] of members) {
    const key = rotationKey(queue);
    const start = (rotation.get(key) ?? 0) % group.length;
    rotation.set(key, start + 1);
    groups.push([...group.slice(start), ...group.slice(0, start)]);
  }
  return { everyone, groups };
}

/** Checks a topic and queue; a 400 names the bad one. */
export function validateSubscription(id: string, topic: unknown, queue: unknown): void {
  if (typeof topic !== "string" || topic.length === 0) {
    throw new MicroError(
      id,
      400,
      `broker: topic must be a non-empty string, got ${JSON.stringify(topic)}`,
    );
  }
  if (queue !== undefined && (typeof queue !== "string" || queue.length === 0)) {
    throw new MicroError(
      id,
      400,
      `broker: queue of topic ${topic} must be a non-empty string when given, got ${JSON.stringify(queue)}`,
    );
  }
}

/**
 * Checks a message to publish without copying it: for brokers that encode it into a frame
 * at once, so no subscriber ever holds the caller's header object.
 */
export function checkMessage(id: string, topic: unknown, message: BrokerMessage): void {
  validateSubscription(id, topic, undefined);
  if (!(message?.body instanceof Uint8Array)) {
    throw new MicroError(
      id,
      400,
      `broker: the body of a message on topic ${String(topic)} must be a Uint8Array`,
    );
  }
  const header = message.header ?? {};
  for (const key in header) {
    if (typeof header[key] !== "string") {
      throw new MicroError(
        id,
        400,
        `broker: header ${JSON.stringify(key)} of a message on topic ${String(topic)} must be a string`,
      );
    }
  }
}

/** Checks a message to publish and copies its header, so a subscriber cannot alter the caller's. */
export function validateMessage(id: string, topic: unknown, message: BrokerMessage): BrokerMessage {
  checkMessage(id, topic, message);
  return { header: Object.freeze({ ...message.header }), body: message.body };
}

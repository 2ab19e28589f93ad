import {
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
  createInbox,
} from "@nats-io/transport-node";
import { type MicroError, serviceUnavailable, timeout } from "../errors/micro-error.js";
import { type DeadlineWheel, createDeadlineWheel } from "../transport/deadline-wheel.js";

/** Request/reply on one connection, for the NATS transport's unary calls. */
export interface NatsRequests {
  readonly connection: NatsConnection;
  /**
   * Publishes `body` to `subject` and resolves with the first reply, or rejects with a
   * 408 after `wait` ms (`what` names the call in that error). A reply that says "no
   * responders" (status 503) resolves like any reply: the caller tells them apart.
   */
  request(
    subject: string,
    body: Uint8Array,
    headers: MsgHdrs,
    wait: number,
    what: string,
  ): Promise<Msg>;
  close(): void;
}

/**
 * One reply subscription (`<inbox>.*`) for every request of a client, a counter token per
 * request and one deadline wheel, instead of `NatsConnection.request`: that one builds a
 * timer and two Error objects (with stack traces) per request, which was the largest
 * single cost of a NATS unary call. Replies are matched by the token after the inbox.
 */
export function createNatsRequests(connection: NatsConnection): NatsRequests {
  const inbox = createInbox();
  const prefixLength = inbox.length + 1;
  const pending = new Map<string, PendingRequest>();
  const deadlines = createDeadlineWheel();
  let next = 0;
  const subscription: Subscription = connection.subscribe(`${inbox}.*`, {
    callback: (_error, msg) => {
      const token = msg.subject.slice(prefixLength);
      const waiting = pending.get(token);
      if (!waiting) return; // late: its caller has timed out already
      pending.delete(token);
      waiting.settle(msg, undefined);
    },
  });
  void subscription.closed.then(() =>
    failAll(serviceUnavailable("micro.client", "the NATS connection of the client closed")),
  );

  function failAll(error: MicroError): void {
    const all = [...pending.values()];
    pending.clear();
    for (const waiting of all) waiting.settle(undefined, error);
  }

  return {
    connection,
    request(subject, body, headers, wait, what) {
      return new Promise<Msg>((resolve, reject) => {
        const token = (next++).toString(36);
        const waiting = new PendingRequest(resolve, reject, Date.now() + wait, deadlines, () => {
          pending.delete(token);
          return timeout("micro.client", `deadline exceeded calling ${what}`);
        });
        pending.set(token, waiting);
        try {
          connection.publish(subject, body, { headers, reply: `${inbox}.${token}` });
        } catch (error) {
          pending.delete(token);
          waiting.settle(undefined, error);
        }
      });
    },
    close() {
      subscription.unsubscribe();
      failAll(serviceUnavailable("micro.client", "the NATS transport client is closed"));
    },
  };
}

/** One request waiting for its reply, on the wheel until then. */
class PendingRequest {
  readonly #resolve: (msg: Msg) => void;
  readonly #reject: (error: unknown) => void;
  readonly #deadline: number;
  readonly #deadlines: DeadlineWheel;
  readonly #expired: () => MicroError;
  #settled = false;

  constructor(
    resolve: (msg: Msg) => void,
    reject: (error: unknown) => void,
    deadline: number,
    deadlines: DeadlineWheel,
    expired: () => MicroError,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#deadline = deadline;
    this.#deadlines = deadlines;
    this.#expired = expired;
    deadlines.watch(deadline, this);
  }

  /** No reply in time (called by the wheel). */
  expire(): void {
    this.settle(undefined, this.#expired());
  }

  settle(msg: Msg | undefined, error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#deadlines.unwatch(this.#deadline, this);
    if (msg) this.#resolve(msg);
    else this.#reject(error);
  }
}

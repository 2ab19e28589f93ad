import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { MicroError } from "../errors/micro-error.js";
import type { Registry, ServiceNode, ServiceRecord } from "../registry/registry.js";
import { type ServiceCache, createServiceCache } from "../selector/service-cache.js";
import { decodeFrame, encodeFrame } from "./broker-frame.js";
import type {
  Broker,
  BrokerHandler,
  BrokerMessage,
  BrokerSubscribeOptions,
  BrokerSubscription,
} from "./broker.js";
import {
  type BrokerErrorContext,
  type BrokerErrorHandler,
  logBrokerError,
  planDelivery,
  runHandler,
  validateMessage,
  validateSubscription,
} from "./delivery.js";

/** The registry service under which every local broker subscription is a node. */
export const LOCAL_BROKER_SERVICE = "micro.broker";
const SERVICE_VERSION = "1";
const PATH = "/micro/broker/";
const ID = "micro.broker.local";
/** Sockets per subscriber process: parallel publishes share them instead of one per message. */
const CONNECTIONS_PER_SUBSCRIBER = 16;

/** Settings of the local broker. */
export interface LocalBrokerOptions {
  /** Where subscriptions are registered and found; every process must share it. */
  readonly registry: Registry;
  /**
   * `host:port` the broker's HTTP server listens on. Default `127.0.0.1:0` (a free port
   * on loopback: one machine only). `MICRO_BROKER_ADDRESS` is passed here. An unspecified
   * host (`0.0.0.0`, `::`) is advertised as `127.0.0.1`.
   */
  readonly address?: string;
  /** Told about handler and delivery failures. Default: a line on stderr (`logBrokerError`). */
  readonly onError?: BrokerErrorHandler;
  /** Largest message (header JSON plus body) sent or accepted. Default 4 MiB, like gRPC's. */
  readonly maxMessageBytes?: number;
  /**
   * Milliseconds to wait for a subscriber to accept a message. Default 5 000. A timed-out
   * message is not sent elsewhere: it may have arrived (at-most-once).
   */
  readonly deliveryTimeout?: number;
  /** TTL of subscription registrations, in ms. Default 90 000 (go-micro's register TTL). */
  readonly registerTtl?: number;
  /** Milliseconds between re-registrations of the subscriptions. Default 30 000. */
  readonly registerInterval?: number;
}

interface LocalSubscription {
  readonly id: string;
  readonly topic: string;
  readonly queue: string | undefined;
  readonly handler: BrokerHandler;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new MicroError(ID, 400, `local broker: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(address);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    throw new MicroError(
      ID,
      400,
      `local broker: address must be "host:port", got ${JSON.stringify(address)}`,
    );
  }
  return { host: match[1] as string, port };
}

/** Whether a delivery failed before the subscriber could have seen the message. */
function isRefused(error: unknown): boolean {
  const codes = [
    (error as NodeJS.ErrnoException)?.code,
    ((error as Error)?.cause as NodeJS.ErrnoException)?.code,
  ];
  return codes.some(
    (code) => code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH",
  );
}

/**
 * The default broker: pub/sub across the processes of one machine with no daemon, like
 * go-micro's http broker. Each instance serves HTTP on loopback and registers every
 * subscription as a node of `micro.broker` (metadata `topic`, `queue`); `publish` finds
 * the topic's subscribers in a watched cache and POSTs the message to every subscriber
 * without a queue and to one member of each queue group, trying the next member when one
 * is unreachable.
 *
 * Delivery is at-most-once: `publish` resolves once each target accepted the message and
 * started its handler, or was found unreachable (told to `onError`); nothing is stored or
 * retried after a subscriber accepted. A topic with no subscribers is not an error.
 */
export function createLocalBroker(options: LocalBrokerOptions): Broker {
  const { registry } = options;
  const listenOn = parseAddress(options.address ?? "127.0.0.1:0");
  const onError = options.onError ?? logBrokerError;
  const maxMessageBytes = positive("maxMessageBytes", options.maxMessageBytes ?? 4 * 1024 * 1024);
  const deliveryTimeout = positive("deliveryTimeout", options.deliveryTimeout ?? 5_000);
  const registerTtl = positive("registerTtl", options.registerTtl ?? 90_000);
  const registerInterval = positive("registerInterval", options.registerInterval ?? 30_000);

  const subscriptions = new Map<string, LocalSubscription>();
  const rotation = new Map<string, number>();
  let server: Server | undefined;
  let advertised: string | undefined;
  let connecting: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let cache: ServiceCache | undefined;
  let agent: Agent | undefined;

  const report = (error: unknown, context: BrokerErrorContext): void => {
    try {
      onError(error, context);
    } catch {
      // An error handler that throws must not break publishing.
    }
  };

  const record = (subs: LocalSubscription[]): ServiceRecord => ({
    name: LOCAL_BROKER_SERVICE,
    version: SERVICE_VERSION,
    metadata: {},
    endpoints: [],
    nodes: subs.map((sub) => ({
      id: sub.id,
      address: advertised as string,
      metadata: { broker: "local", topic: sub.topic, queue: sub.queue ?? "" },
    })),
  });

  const handle = (sub: LocalSubscription, message: BrokerMessage): void =>
    runHandler(sub.handler, message, onError, {
      operation: "handle",
      topic: sub.topic,
      queue: sub.queue,
    });

  /** Serves one delivery: 202 once the handler started, 404 for an unknown subscription. */
  const accept = (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, text = "") => {
      res.writeHead(status, { "content-type": "text/plain" }).end(text);
    };
    const url = req.url ?? "";
    let id: string | undefined;
    try {
      id =
        req.method === "POST" && url.startsWith(PATH)
          ? decodeURIComponent(url.slice(PATH.length))
          : undefined;
    } catch {
      id = undefined;
    }
    if (id === undefined || !subscriptions.has(id)) {
      req.resume();
      reply(404, `no subscription at ${url}`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxMessageBytes) chunks.push(chunk);
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      if (size > maxMessageBytes) return reply(413, `message larger than ${maxMessageBytes} bytes`);
      const sub = subscriptions.get(id);
      if (!sub) return reply(404, `subscription ${id} ended`);
      let message: BrokerMessage;
      try {
        message = decodeFrame(sub.topic, Buffer.concat(chunks, size));
      } catch (error) {
        return reply(400, `malformed message: ${(error as Error).message}`);
      }
      handle(sub, message);
      reply(202);
    });
  };

  /**
   * Hands a message to one subscriber. `ended`: the subscription is over (unsubscribed
   * since the cache saw it); `unreachable`: its process refused the connection. Either
   * way it surely did not get the message.
   */
  const deliver = async (
    node: ServiceNode,
    frame: Uint8Array,
    message: BrokerMessage,
  ): Promise<"accepted" | "ended" | "unreachable"> => {
    const own = node.address === advertised ? subscriptions.get(node.id) : undefined;
    if (own) {
      handle(own, message);
      return "accepted";
    }
    agent ??= new Agent({
      connections: CONNECTIONS_PER_SUBSCRIBER,
      connect: { timeout: deliveryTimeout },
    });
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`http://${node.address}${PATH}${encodeURIComponent(node.id)}`, {
        method: "POST",
        body: frame,
        dispatcher: agent,
        headers: { "content-type": "application/octet-stream" },
        headersTimeout: deliveryTimeout,
        bodyTimeout: deliveryTimeout,
      });
    } catch (error) {
      if (isRefused(error)) return "unreachable";
      throw error;
    }
    const text = await response.body.text();
    if (response.statusCode === 202) return "accepted";
    if (response.statusCode === 404) return "ended";
    throw new MicroError(
      ID,
      response.statusCode >= 400 ? response.statusCode : 502,
      `subscriber ${node.id} at ${node.address} refused the message: ${response.statusCode} ${text}`,
    );
  };

  const unreachable = (topic: string, nodes: ServiceNode[]) =>
    new MicroError(
      ID,
      503,
      `no subscriber of topic ${topic} could be reached: ${nodes.map((n) => `${n.id} at ${n.address}`).join(", ")}`,
    );

  const reRegister = (): void => {
    if (subscriptions.size === 0 || advertised === undefined) return;
    registry
      .register(record([...subscriptions.values()]), { ttl: registerTtl })
      .catch((error: unknown) =>
        report(error, { operation: "register", topic: undefined, queue: undefined }),
      );
  };

  const connect = (): Promise<void> => {
    if (server) return Promise.resolve();
    connecting ??= (async () => {
      const created = createServer(accept);
      await new Promise<void>((resolve, reject) => {
        created.once("error", reject);
        created.listen(listenOn.port, listenOn.host, () => {
          created.off("error", reject);
          resolve();
        });
      }).catch((error: unknown) => {
        throw new MicroError(
          ID,
          500,
          `local broker: cannot listen on ${listenOn.host}:${listenOn.port}: ${(error as Error).message}; ` +
            "set MICRO_BROKER_ADDRESS to a free host:port",
          { cause: error },
        );
      });
      const { address, port } = created.address() as AddressInfo;
      const host = address === "0.0.0.0" || address === "::" ? "127.0.0.1" : address;
      advertised = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
      server = created;
      heartbeat = setInterval(reRegister, registerInterval);
      heartbeat.unref();
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    name: "local",
    connect,

    async disconnect() {
      await connecting?.catch(() => undefined);
      clearInterval(heartbeat);
      heartbeat = undefined;
      const subs = [...subscriptions.values()];
      subscriptions.clear();
      if (subs.length > 0) {
        await registry
          .deregister(record(subs))
          .catch((error: unknown) =>
            report(error, { operation: "register", topic: undefined, queue: undefined }),
          );
      }
      cache?.close();
      cache = undefined;
      const closingAgent = agent;
      agent = undefined;
      await closingAgent?.close();
      const closing = server;
      server = undefined;
      advertised = undefined;
      if (closing) {
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
      }
    },

    async publish(topic: string, message: BrokerMessage) {
      const copy = validateMessage(ID, topic, message);
      const frame = encodeFrame(topic, copy);
      if (frame.length > maxMessageBytes) {
        throw new MicroError(
          ID,
          413,
          `local broker: a message on topic ${topic} is ${frame.length} bytes, more than maxMessageBytes ${maxMessageBytes}`,
        );
      }
      cache ??= createServiceCache({ registry });
      const nodes = (await cache.get(LOCAL_BROKER_SERVICE))
        .flatMap((service) => service.nodes)
        .filter((node) => node.metadata.topic === topic && node.metadata.broker === "local");
      const plan = planDelivery(
        nodes,
        (node) => node.metadata.queue || undefined,
        rotation,
        (queue) => `${topic}\u0000${queue}`,
      );
      const toEveryone = plan.everyone.map(async (node) => {
        const context = { operation: "deliver", topic, queue: undefined } as const;
        try {
          const outcome = await deliver(node, frame, copy);
          if (outcome === "unreachable") report(unreachable(topic, [node]), context);
        } catch (error) {
          report(error, context);
        }
      });
      const toGroups = plan.groups.map(async (members) => {
        const context = { operation: "deliver", topic, queue: members[0]?.metadata.queue } as const;
        const down: ServiceNode[] = [];
        for (const node of members) {
          try {
            const outcome = await deliver(node, frame, copy);
            if (outcome === "accepted") return;
            if (outcome === "unreachable") down.push(node);
          } catch (error) {
            // It may have arrived: sending it to another member could deliver it twice.
            report(error, context);
            return;
          }
        }
        // Members that all unsubscribed are like no members at all: nothing to report.
        if (down.length > 0) report(unreachable(topic, down), context);
      });
      await Promise.all([...toEveryone, ...toGroups]);
    },

    async subscribe(
      topic: string,
      handler: BrokerHandler,
      subscribeOptions?: BrokerSubscribeOptions,
    ): Promise<BrokerSubscription> {
      const queue = subscribeOptions?.queue;
      validateSubscription(ID, topic, queue);
      await connect();
      const sub: LocalSubscription = {
        id: `${LOCAL_BROKER_SERVICE}-${randomUUID()}`,
        topic,
        queue,
        handler,
      };
      subscriptions.set(sub.id, sub);
      try {
        await registry.register(record([sub]), { ttl: registerTtl });
      } catch (error) {
        subscriptions.delete(sub.id);
        throw error;
      }
      return {
        topic,
        queue,
        async unsubscribe() {
          if (!subscriptions.has(sub.id)) return;
          const registered = record([sub]);
          subscriptions.delete(sub.id);
          await registry.deregister(registered);
        },
      };
    },
  };
}

import { afterEach, describe, expect, it } from "vitest";
import {
  type HandlerContext,
  type HandlerWrapper,
  MicroError,
  type Service,
  createMemoryBroker,
  createMemoryRegistry,
  createMemoryTransport,
  createService,
} from "../../src/index.js";
import {
  CollectResponse,
  CountResponse,
  EchoDescriptor,
  type SayRequest,
  SayResponse,
  ShoutedTopic,
  type Shouted,
} from "../fixtures/echo-descriptor.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* items<T>(...values: T[]): AsyncIterable<T> {
  for (const value of values) yield value;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function say(text: string, extra: Partial<SayRequest> = {}): SayRequest {
  return { text, delayMs: 0, failCode: 0, payload: new Uint8Array(), ...extra };
}

/** An Echo implementation that reports which node served and what it saw. */
function echoHandler(node: string) {
  return {
    async Say(request: SayRequest, context: HandlerContext) {
      if (request.delayMs) await sleep(request.delayMs);
      if (request.failCode)
        throw new MicroError("echo", request.failCode, `failing with ${request.failCode}`);
      context.responseMetadata["served-by"] = node;
      return SayResponse.fromPartial({
        text: request.text,
        node,
        metadata: context.metadata,
        budgetMs: context.deadline === undefined ? 0 : context.deadline - Date.now(),
      });
    },
    async *Count(request: { upTo: number }) {
      for (let n = 1; n <= request.upTo; n++) yield CountResponse.fromPartial({ n });
    },
    async Collect(requests: AsyncIterable<SayRequest>) {
      const texts: string[] = [];
      for await (const request of requests) texts.push(request.text);
      return CollectResponse.fromPartial({ texts });
    },
    async *Converse(requests: AsyncIterable<SayRequest>) {
      for await (const request of requests)
        yield SayResponse.fromPartial({ text: request.text.toUpperCase(), node });
    },
  };
}

describe("createService on in-memory components", () => {
  const transport = createMemoryTransport();
  let registry = createMemoryRegistry();
  let broker = createMemoryBroker();
  let running: Service[] = [];

  afterEach(async () => {
    await Promise.all(running.map((service) => service.stop()));
    running = [];
    await registry.close();
    registry = createMemoryRegistry();
    broker = createMemoryBroker();
  });

  async function startEcho(
    node: string,
    extra: { wrappers?: HandlerWrapper[]; name?: string } = {},
  ) {
    const service = createService({
      name: extra.name ?? "echo",
      transport,
      registry,
      broker,
      env: {},
      handlerWrappers: extra.wrappers ?? [],
      logger: silent,
    });
    service.server.handle(EchoDescriptor, echoHandler(node));
    await service.start();
    running.push(service);
    return service;
  }

  it("serves all four method kinds through the registry", async () => {
    const echo = await startEcho("a");
    const { client } = echo;
    const reply = await client.call("echo", EchoDescriptor.methods.Say, say("hi"));
    expect(reply.text).toBe("hi");
    const counted = await collect(
      client.stream("echo", EchoDescriptor.methods.Count, items({ upTo: 3, delayMs: 0 })),
    );
    expect(counted.map((r) => r.n)).toEqual([1, 2, 3]);
    const collected = await collect(
      client.stream("echo", EchoDescriptor.methods.Collect, items(say("a"), say("b"))),
    );
    expect(collected).toEqual([{ texts: ["a", "b"] }]);
    const conversed = await collect(
      client.stream("echo", EchoDescriptor.methods.Converse, items(say("x"), say("y"))),
    );
    expect(conversed.map((r) => r.text)).toEqual(["X", "Y"]);
    const [record] = await registry.getService("echo");
    expect(record?.endpoints.map((e) => e.name)).toEqual([
      "Echo.Say",
      "Echo.Count",
      "Echo.Collect",
      "Echo.Converse",
    ]);
    expect(record?.nodes[0]?.metadata).toMatchObject({ transport: "memory", registry: "memory" });
  });

  type SayFn = (request: SayRequest, context: HandlerContext) => Promise<SayResponse>;

  /** A `front` service whose Say is `makeSay(front)`: it calls echo's Say from there. */
  async function startFront(makeSay: (front: Service) => SayFn): Promise<Service> {
    const front = createService({
      name: "front",
      transport,
      registry,
      broker,
      env: {},
      logger: silent,
    });
    front.server.handle(EchoDescriptor, { ...echoHandler("front"), Say: makeSay(front) });
    await front.start();
    running.push(front);
    return front;
  }

  /** Sleeps for the request's delay, then asks echo with no delay. */
  const relay =
    (passParent: boolean) =>
    (front: Service): SayFn =>
    async (request, context) => {
      await sleep(request.delayMs);
      const nested = { ...request, delayMs: 0 };
      const options = passParent ? { parent: context } : {};
      return front.client.call("echo", EchoDescriptor.methods.Say, nested, options);
    };

  it("propagates metadata and the remaining deadline to a nested call given its parent", async () => {
    await startEcho("inner");
    const front = await startFront(relay(true));

    const reply = await front.client.call(
      "front",
      EchoDescriptor.methods.Say,
      say("nested", { delayMs: 200 }),
      { timeout: 1500, metadata: { "X-Request-Id": "r-1" } },
    );
    expect(reply.node).toBe("inner");
    expect(reply.metadata["x-request-id"]).toBe("r-1");
    // What the front handler spent (200 ms asleep) is gone from the nested call's budget.
    expect(reply.budgetMs).toBeGreaterThan(1000);
    expect(reply.budgetMs).toBeLessThanOrEqual(1300);
  });

  it("starts a nested call afresh without a parent", async () => {
    await startEcho("inner");
    const front = await startFront(relay(false));

    const reply = await front.client.call("front", EchoDescriptor.methods.Say, say("fresh"), {
      timeout: 1500,
      metadata: { "X-Request-Id": "r-2" },
    });
    expect(reply.node).toBe("inner");
    expect(reply.metadata["x-request-id"]).toBeUndefined();
    // The client's own default budget (5 s), not what was left of the caller's 1.5 s.
    expect(reply.budgetMs).toBeGreaterThan(4000);
  });

  it("cancels a nested call when the call it was made for is cancelled", async () => {
    await startEcho("inner");
    let nestedFailure: unknown;
    const front = await startFront((service) => async (request, context) => {
      const slow = { ...request, delayMs: 600 };
      try {
        return await service.client.call("echo", EchoDescriptor.methods.Say, slow, {
          parent: context,
        });
      } catch (error) {
        nestedFailure = error;
        throw error;
      }
    });

    const caller = new AbortController();
    const outer = front.client.call("front", EchoDescriptor.methods.Say, say("cancel me"), {
      signal: caller.signal,
    });
    setTimeout(() => caller.abort(), 100);
    await expect(outer).rejects.toMatchObject({ code: 499 });
    await expect.poll(() => nestedFailure, { timeout: 1000 }).toMatchObject({ code: 499 });
  });

  it("fails with 408 when the deadline passes, and does not retry 4xx", async () => {
    const echo = await startEcho("a");
    const slow = echo.client.call(
      "echo",
      EchoDescriptor.methods.Say,
      say("slow", { delayMs: 500 }),
      { timeout: 100 },
    );
    await expect(slow).rejects.toMatchObject({ code: 408 });
    const bad = echo.client.call("echo", EchoDescriptor.methods.Say, say("bad", { failCode: 400 }));
    await expect(bad).rejects.toMatchObject({ code: 400, id: "echo", detail: "failing with 400" });
  });

  it("retries an unavailable node on another one", async () => {
    const healthy = await startEcho("healthy");
    const failing = createService({
      name: "echo",
      transport,
      registry,
      broker,
      env: {},
      logger: silent,
    });
    failing.server.handle(EchoDescriptor, {
      ...echoHandler("failing"),
      Say: () => {
        throw new MicroError("echo", 503, "overloaded");
      },
    });
    await failing.start();
    running.push(failing);
    const served = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const reply = await healthy.client.call("echo", EchoDescriptor.methods.Say, say(`call ${i}`));
      served.add(reply.node);
    }
    expect([...served]).toEqual(["healthy"]);
  });

  it("runs handler wrappers as an onion and returns response metadata", async () => {
    const order: string[] = [];
    const wrapper =
      (label: string): HandlerWrapper =>
      (next) =>
      async (request, context) => {
        order.push(`${label} in`);
        const result = await next(request, context);
        order.push(`${label} out`);
        return result;
      };
    const echo = await startEcho("w", { wrappers: [wrapper("outer"), wrapper("inner")] });
    let seen: Record<string, string> = {};
    await echo.client.call("echo", EchoDescriptor.methods.Say, say("x"), {
      onResponseMetadata: (metadata) => (seen = metadata),
    });
    expect(order).toEqual(["outer in", "inner in", "inner out", "outer out"]);
    expect(seen["served-by"]).toBe("w");
  });

  it("delivers published messages to subscribers, one per queue group", async () => {
    const received: { who: string; text: string }[] = [];
    const subscriber = (who: string, queue?: string) => {
      const service = createService({
        name: `sub-${who}`,
        transport,
        registry,
        broker,
        env: {},
        logger: silent,
      });
      service.server.subscribe(
        ShoutedTopic,
        (message: Shouted) => {
          received.push({ who, text: message.text });
        },
        queue === undefined ? {} : { queue },
      );
      return service;
    };
    const services = [subscriber("fan"), subscriber("q1", "workers"), subscriber("q2", "workers")];
    for (const service of services) await service.start();
    running.push(...services);
    const publisher = services[0] as Service;
    for (let i = 0; i < 10; i++) await publisher.client.publish(ShoutedTopic, { text: `m${i}` });
    await sleep(50);
    expect(received.filter((r) => r.who === "fan")).toHaveLength(10);
    const queued = received.filter((r) => r.who !== "fan").map((r) => r.text);
    expect(queued.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
  });

  it("sends a handler's metadata along with what it publishes given its parent", async () => {
    const headers: Record<string, string>[] = [];
    const listener = createService({
      name: "listener",
      transport,
      registry,
      broker,
      env: {},
      logger: silent,
    });
    listener.server.subscribe(ShoutedTopic, (_message: Shouted, context) => {
      headers.push(context.metadata);
    });
    await listener.start();
    running.push(listener);
    const front = await startFront((service) => async (request, context) => {
      await service.client.publish(ShoutedTopic, { text: "with" }, { parent: context });
      await service.client.publish(ShoutedTopic, { text: "without" });
      return SayResponse.fromPartial({ text: request.text });
    });

    await front.client.call("front", EchoDescriptor.methods.Say, say("publish"), {
      metadata: { "x-request-id": "r-3" },
    });
    await expect.poll(() => headers.length).toBe(2);
    expect(headers.map((header) => header["x-request-id"])).toEqual(["r-3", undefined]);
    expect(headers[0]?.["micro-topic"]).toBe(ShoutedTopic.topic);
  });

  it("finishes in-flight calls on stop and deregisters first", async () => {
    const echo = await startEcho("a");
    const caller = createService({
      name: "caller",
      transport,
      registry,
      broker,
      env: {},
      logger: silent,
    });
    const inFlight = caller.client.call(
      "echo",
      EchoDescriptor.methods.Say,
      say("slow", { delayMs: 200 }),
      {
        address: echo.server.address as string,
      },
    );
    await sleep(20);
    const stopping = echo.stop();
    running = running.filter((s) => s !== echo);
    await sleep(20);
    expect(await registry.getService("echo")).toEqual([]);
    await expect(inFlight).resolves.toMatchObject({ text: "slow" });
    await stopping;
    await caller.client.close();
  });

  it("fails fast on invalid configuration", () => {
    expect(() => createService({ env: {} })).toThrow(/needs a name/);
    expect(() => createService({ name: "x", env: { MICRO_TRANSPORT: "carrier-pigeon" } })).toThrow(
      /MICRO_TRANSPORT=carrier-pigeon is not supported/,
    );
    expect(() =>
      createService({
        name: "x",
        transport,
        registry,
        broker,
        env: {},
        registerTtl: 1000,
        registerInterval: 2000,
      }),
    ).toThrow(/must be shorter than the register TTL/);
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

// The generated greeter code on the real runtime: memory transport, registry and broker.
import {
  createClient,
  createMemoryBroker,
  createMemoryRegistry,
  createMemoryTransport,
  createSelector,
  createServer,
  type HandlerContext,
  type MessageContext,
} from "@micro-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, iterate } from "../fakes.js";
import type { Empty } from "./gen/google/protobuf/empty.js";
import {
  createGreetedPublisher,
  createGreeterClient,
  createGreeterOnGreetedPublisher,
  registerGreetedSubscriber,
  registerGreeterHandler,
  type GreeterHandler,
} from "./gen/greeter/v1/greeter.micro.js";
import type {
  ChatMessage,
  Greeted,
  HelloRequest,
  HelloResponse,
  StreamRequest,
  StreamResponse,
  UploadRequest,
  UploadResponse,
} from "./gen/greeter/v1/greeter.js";

class Greeter implements GreeterHandler {
  readonly greeted: string[] = [];
  hello(request: HelloRequest, context: HandlerContext): HelloResponse {
    return { message: `hello ${request.name} via ${context.method.endpoint.name}` };
  }
  async *stream(request: StreamRequest): AsyncIterable<StreamResponse> {
    for (let index = 0; index < request.count; index++) yield { message: request.name, index };
  }
  async upload(requests: AsyncIterable<UploadRequest>): Promise<UploadResponse> {
    let size = 0;
    for await (const r of requests) size += r.chunk.length;
    return { size };
  }
  async *chat(requests: AsyncIterable<ChatMessage>): AsyncIterable<ChatMessage> {
    for await (const m of requests) yield { text: m.text.toUpperCase(), fromUser: "greeter" };
  }
  onGreeted(request: Greeted, context: HandlerContext | MessageContext): Empty {
    this.greeted.push(`${"topic" in context ? context.topic : "rpc"}:${request.name}`);
    return {};
  }
}

describe("greeter on the runtime (memory transport, registry, broker)", () => {
  const transport = createMemoryTransport();
  const registry = createMemoryRegistry();
  const broker = createMemoryBroker();
  const server = createServer({
    name: "greeter",
    transport,
    registry,
    broker,
    drainTimeout: 10_000,
  });
  const client = createClient({ transport, selector: createSelector({ registry }), broker });
  const handler = new Greeter();
  const subscribed: string[] = [];

  beforeAll(async () => {
    registerGreeterHandler(server, handler);
    registerGreetedSubscriber(server, { handle: (m) => void subscribed.push(m.name) });
    await server.start();
  });
  // Every generated call must have completed (e.g. a client stream read to its end), or
  // stop() would wait out the drain timeout.
  afterAll(async () => {
    const started = Date.now();
    await client.close();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("serves all four method kinds through the generated client", async () => {
    const greeter = createGreeterClient(client, "greeter");
    expect(await greeter.hello({ name: "ada" })).toEqual({
      message: "hello ada via Greeter.Hello",
    });
    expect(await collect(greeter.stream({ name: "x", count: 3 }))).toEqual([
      { message: "x", index: 0 },
      { message: "x", index: 1 },
      { message: "x", index: 2 },
    ]);
    const chunks = iterate<UploadRequest>(
      { chunk: new Uint8Array(2) },
      { chunk: new Uint8Array(5) },
    );
    expect(await greeter.upload(chunks)).toEqual({ size: 7 });
    const chat = greeter.chat(
      iterate<ChatMessage>({ text: "a", fromUser: "u" }, { text: "b", fromUser: "u" }),
    );
    expect(await collect(chat)).toEqual([
      { text: "A", fromUser: "greeter" },
      { text: "B", fromUser: "greeter" },
    ]);
    expect(await greeter.onGreeted({ name: "direct", atUnixMs: 0 })).toEqual({});
  });

  it("delivers published topics to the subscriber and to the (micro.subscribe) handler method", async () => {
    await createGreetedPublisher(client).publish({ name: "ada", atUnixMs: 1 });
    await createGreeterOnGreetedPublisher(client).publish({ name: "bob", atUnixMs: 2 });
    await expect.poll(() => subscribed.length).toBe(2);
    await expect
      .poll(() => handler.greeted.filter((g) => g.startsWith("greeter.greeted")).length)
      .toBe(2);
    expect(subscribed.sort()).toEqual(["ada", "bob"]);
    expect(handler.greeted).toContain("rpc:direct");
  });
});

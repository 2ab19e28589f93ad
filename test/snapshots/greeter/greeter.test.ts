import type {
  HandlerContext,
  MessageContext,
  MethodDescriptor,
  ServiceDescriptor,
} from "@micro-ts/runtime";
import { MicroError } from "@micro-ts/runtime";
import { describe, expect, it } from "vitest";
import { collect, createRecordingClient, createRecordingServer, iterate } from "../fakes.js";
import type { Empty } from "./gen/google/protobuf/empty.js";
import {
  createGreetedPublisher,
  createGreeterClient,
  GreetedTopic,
  GreeterDescriptor,
  GreeterOnGreetedTopic,
  registerGreetedSubscriber,
  registerGreeterHandler,
  type GreeterHandler,
} from "./gen/greeter/v1/greeter.micro.js";
import {
  ChatMessage,
  Greeted,
  HelloRequest,
  HelloResponse,
  type StreamRequest,
  type StreamResponse,
  type UploadRequest,
  type UploadResponse,
} from "./gen/greeter/v1/greeter.js";

/** A handler the way users write one: a class implementing the generated interface. */
class Greeter implements GreeterHandler {
  readonly greeted: string[] = [];
  hello(request: HelloRequest): HelloResponse {
    return { message: `hello ${request.name}` };
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
  onGreeted(request: Greeted, _context: HandlerContext | MessageContext): Empty {
    this.greeted.push(request.name);
    return {};
  }
}

const context = {} as HandlerContext;

describe("greeter snapshot", () => {
  it("types methods precisely and satisfies ServiceDescriptor", () => {
    const hello: MethodDescriptor<HelloRequest, HelloResponse> = GreeterDescriptor.methods.Hello;
    const service: ServiceDescriptor = GreeterDescriptor;
    expect(service.typeName).toBe("greeter.v1.Greeter");
    expect(hello.input).toBe(HelloRequest);
    expect(Object.keys(GreeterDescriptor.methods)).toEqual([
      "Hello",
      "Stream",
      "Upload",
      "Chat",
      "OnGreeted",
    ]);
    expect(Object.values(GreeterDescriptor.methods).map((m) => m.kind)).toEqual([
      "unary",
      "server_streaming",
      "client_streaming",
      "bidi_streaming",
      "unary",
    ]);
  });

  it("carries endpoint metadata with every http binding", () => {
    expect(GreeterDescriptor.methods.Hello.endpoint).toEqual({
      name: "Greeter.Hello",
      path: "/greeter.v1.Greeter/Hello",
      kind: "unary",
      request: {
        type: "greeter.v1.HelloRequest",
        fields: [{ name: "name", type: "string", kind: "scalar" }],
      },
      response: {
        type: "greeter.v1.HelloResponse",
        fields: [{ name: "message", type: "string", kind: "scalar" }],
      },
      http: [
        { method: "POST", path: "/v1/hello", body: "*" },
        { method: "GET", path: "/v1/hello/{name}" },
      ],
    });
    expect(GreeterDescriptor.methods.Chat.endpoint.request.fields).toEqual([
      { name: "text", type: "string", kind: "scalar" },
      { name: "fromUser", type: "string", kind: "scalar" },
    ]);
  });

  it("registers the handler: each method serves through the class, messages round-trip", async () => {
    const server = createRecordingServer();
    const greeter = new Greeter();
    registerGreeterHandler(server, greeter);
    const [{ descriptor, implementation }] = server.services;
    expect(descriptor).toBe(GreeterDescriptor);
    const hello = implementation["Hello"] as (r: HelloRequest, c: HandlerContext) => HelloResponse;
    const method = GreeterDescriptor.methods.Hello;
    const decoded = method.input.decode(method.input.encode({ name: "ada" }).finish());
    expect(hello(decoded, context)).toEqual({ message: "hello ada" });
    const chat = implementation["Chat"] as (
      r: AsyncIterable<ChatMessage>,
      c: HandlerContext,
    ) => AsyncIterable<ChatMessage>;
    expect(await collect(chat(iterate({ text: "hi", fromUser: "x" }), context))).toEqual([
      { text: "HI", fromUser: "greeter" },
    ]);
    const upload = implementation["Upload"] as (
      r: AsyncIterable<UploadRequest>,
      c: HandlerContext,
    ) => Promise<UploadResponse>;
    expect(
      await upload(iterate({ chunk: new Uint8Array(3) }, { chunk: new Uint8Array(4) }), context),
    ).toEqual({ size: 7 });
  });

  it("subscribes the (micro.subscribe) method to its topic with the proto's queue", async () => {
    const server = createRecordingServer();
    const greeter = new Greeter();
    registerGreeterHandler(server, greeter);
    expect(server.subscriptions).toHaveLength(1);
    const [subscription] = server.subscriptions;
    expect(subscription?.topic).toBe(GreeterOnGreetedTopic);
    expect(GreeterOnGreetedTopic).toEqual({
      topic: "greeter.greeted",
      type: Greeted,
      typeName: "greeter.v1.Greeted",
      queue: "greeter",
    });
    await subscription?.subscriber(
      { name: "bob", atUnixMs: 1 },
      { topic: "greeter.greeted", metadata: {} },
    );
    expect(greeter.greeted).toEqual(["bob"]);
  });

  it("builds a client that calls the runtime with the right method for each kind", async () => {
    const client = createRecordingClient(
      (method, request) =>
        method.name === "Hello" ? { message: `hi ${(request as HelloRequest).name}` } : {},
      (method, requests) =>
        method.name === "Upload"
          ? [{ size: requests.length }]
          : method.name === "Stream"
            ? [
                { message: "a", index: 0 },
                { message: "b", index: 1 },
              ]
            : requests,
    );
    const greeter = createGreeterClient(client, "greeter");
    expect(await greeter.hello({ name: "ada" }, { timeout: 50 })).toEqual({ message: "hi ada" });
    expect(client.calls[0]).toEqual({
      kind: "call",
      service: "greeter",
      method: GreeterDescriptor.methods.Hello,
      request: { name: "ada" },
      options: { timeout: 50 },
    });
    expect(await collect(greeter.stream({ name: "x", count: 2 }))).toHaveLength(2);
    expect(client.calls[1]).toMatchObject({
      kind: "stream",
      method: GreeterDescriptor.methods.Stream,
      requests: [{ name: "x", count: 2 }],
    });
    expect(
      await greeter.upload(iterate({ chunk: new Uint8Array(1) }, { chunk: new Uint8Array(1) })),
    ).toEqual({ size: 2 });
    const chat = await collect(greeter.chat(iterate({ text: "a", fromUser: "u" })));
    expect(chat).toEqual([{ text: "a", fromUser: "u" }]);
  });

  it("fails a client-streaming call whose stream ends without a response, as a MicroError", async () => {
    const client = createRecordingClient(
      () => ({}),
      () => [],
    );
    const greeter = createGreeterClient(client, "greeter");
    const error = await greeter.upload(iterate<UploadRequest>()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect(error).toMatchObject({ id: "greeter", code: 500 });
  });

  it("fails a client-streaming call answered with two responses", async () => {
    const client = createRecordingClient(
      () => ({}),
      () => [{ size: 1 }, { size: 2 }],
    );
    const error = await createGreeterClient(client, "greeter")
      .upload(iterate<UploadRequest>())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect((error as MicroError).detail).toBe("greeter.v1.Greeter/Upload: more than one response");
  });

  it("publishes and subscribes the (micro.topic) message", async () => {
    const client = createRecordingClient(() => ({}));
    await createGreetedPublisher(client).publish(
      { name: "ada", atUnixMs: 2 },
      { metadata: { k: "v" } },
    );
    expect(client.calls).toEqual([
      {
        kind: "publish",
        topic: GreetedTopic,
        message: { name: "ada", atUnixMs: 2 },
        options: { metadata: { k: "v" } },
      },
    ]);
    const server = createRecordingServer();
    const seen: string[] = [];
    registerGreetedSubscriber(
      server,
      { handle: (m, c) => void seen.push(`${c.topic}:${m.name}`) },
      { queue: "q" },
    );
    expect(server.subscriptions[0]?.options).toEqual({ queue: "q" });
    await server.subscriptions[0]?.subscriber(
      { name: "x", atUnixMs: 0 },
      { topic: "greeter.greeted", metadata: {} },
    );
    expect(seen).toEqual(["greeter.greeted:x"]);
    expect(GreetedTopic.queue).toBeUndefined();
  });
});

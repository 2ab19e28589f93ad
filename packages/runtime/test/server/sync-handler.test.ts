// A handler that answers synchronously skips the promise hop (RouteResult.settled): on every
// transport its answer, its response metadata and its failures must still arrive as from
// an async handler.
import { afterEach, describe, expect, it } from "vitest";
import {
  type HandlerContext,
  MicroError,
  type Server,
  type Transport,
  createClient,
  createHttpTransport,
  createMemoryRegistry,
  createMemoryTransport,
  createSelector,
  createServer,
} from "../../src/index.js";
import { createGrpcTransport } from "../../src/transport/grpc/index.js";
import {
  CollectResponse,
  EchoDescriptor,
  type SayRequest,
  SayResponse,
} from "../fixtures/echo-descriptor.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function say(text: string, failCode = 0): SayRequest {
  return { text, delayMs: 0, failCode, payload: new Uint8Array() };
}

/** Echo whose Say answers without a promise: a value, a throw, or nothing at all. */
const syncEcho = {
  Say(request: SayRequest, context: HandlerContext) {
    if (request.failCode) throw new MicroError("echo", request.failCode, "failing as asked");
    context.responseMetadata["x-answered"] = "sync";
    if (request.text === "nothing") return undefined as unknown as SayResponse;
    return SayResponse.fromPartial({ text: request.text.toUpperCase() });
  },
  async *Count() {},
  async Collect() {
    return CollectResponse.fromPartial({});
  },
  async *Converse() {},
};

const transports: Record<string, () => Transport> = {
  http: () => createHttpTransport(),
  grpc: () => createGrpcTransport(),
  memory: () => createMemoryTransport(),
};

describe.each(Object.keys(transports))("a synchronous unary handler over %s", (name) => {
  let server: Server | undefined;
  let closeClient: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeClient?.();
    await server?.stop();
  });

  async function start() {
    const transport = (transports[name] as () => Transport)();
    const registry = createMemoryRegistry();
    server = createServer({ name: "echo", transport, registry, logger: silent });
    server.handle(EchoDescriptor, syncEcho);
    await server.start();
    const selector = createSelector({ registry, logger: silent });
    const client = createClient({ transport, selector, retries: 0 });
    closeClient = async () => {
      await client.close();
      await selector.close();
    };
    return client;
  }

  it("answers with its message and response metadata", async () => {
    const client = await start();
    let metadata: Record<string, string> = {};
    const reply = await client.call("echo", EchoDescriptor.methods.Say, say("hi"), {
      onResponseMetadata: (received) => (metadata = { ...received }),
    });
    expect(reply.text).toBe("HI");
    expect(metadata["x-answered"]).toBe("sync");
  });

  it("fails with the MicroError it threw", async () => {
    const client = await start();
    const error = await client
      .call("echo", EchoDescriptor.methods.Say, say("hi", 409))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect((error as MicroError).code).toBe(409);
    expect((error as MicroError).detail).toBe("failing as asked");
  });

  it("fails with 500 naming the endpoint when it returns nothing", async () => {
    const client = await start();
    const error = await client
      .call("echo", EchoDescriptor.methods.Say, say("nothing"))
      .catch((e: unknown) => e);
    expect((error as MicroError).code).toBe(500);
    expect((error as MicroError).detail).toMatch(/Echo\.Say returned no response message/);
  });
});

// Behaviour of the http transport beyond the shared contract: its own client in JSON,
// reconnects, exact error round trips through headers, streaming deadlines and limits,
// and what a draining listener does to connections.
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MicroError } from "../../../src/errors/micro-error.js";
import type { Metadata } from "../../../src/metadata/metadata.js";
import { createHttpTransport } from "../../../src/transport/http/http-transport.js";
import type {
  Router,
  Transport,
  TransportClient,
  TransportListener,
} from "../../../src/transport/transport.js";
import { EchoDescriptor } from "../../fixtures/echo-descriptor.js";
import { createEchoRouter } from "../memory/echo-router.js";
import { collect, messages, outbound, rejection, say } from "../memory/transport-contract.js";

const { Say, Count, Converse, Collect } = EchoDescriptor.methods;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  router: Router,
  options: { transport?: Transport; address?: string; maxMessageBytes?: number } = {},
): Promise<{ listener: TransportListener; client: TransportClient }> {
  const transport = options.transport ?? createHttpTransport();
  const listener = await transport.listen({
    address: options.address ?? "127.0.0.1:0",
    router,
    maxMessageBytes: options.maxMessageBytes ?? 4 * 1024 * 1024,
  });
  const client = transport.client();
  cleanups.push(
    () => listener.close(0),
    () => client.close(),
  );
  return { listener, client };
}

describe("http transport client", () => {
  it("speaks JSON when asked to, for unary and streams alike", async () => {
    const { listener, client } = await serve(createEchoRouter().router, {
      transport: createHttpTransport({ codec: "json" }),
    });
    let headers: Metadata | undefined;
    const reply = await client.unary(
      listener.address,
      Say,
      say({ text: "json", payload: new Uint8Array([1, 2, 3]) }),
      outbound({ metadata: { "x-trace": "t1" }, onResponseMetadata: (m) => (headers = m) }),
    );
    expect(reply).toEqual({
      text: "json",
      node: "node-1",
      metadata: { "x-trace": "t1" },
      budgetMs: 0,
    });
    expect(headers).toEqual({ "x-echo-node": "node-1" });
    const counted = await collect(
      client.stream(listener.address, Count, messages({ upTo: 3, delayMs: 0 }), outbound()),
    );
    expect(counted.map((m) => m.n)).toEqual([1, 2, 3]);
    const shouted = await collect(
      client.stream(
        listener.address,
        Converse,
        messages(say({ text: "a" }), say({ text: "b" })),
        outbound(),
      ),
    );
    expect(shouted.map((m) => m.text)).toEqual(["A", "B"]);
  });

  it("reconnects to a server that restarted on the same port", async () => {
    const transport = createHttpTransport();
    const first = await transport.listen({
      address: "127.0.0.1:0",
      router: createEchoRouter("first").router,
      maxMessageBytes: 1_024,
    });
    const client = transport.client();
    cleanups.push(() => client.close());
    const address = first.address;
    expect((await client.unary(address, Say, say({ text: "x" }), outbound())).node).toBe("first");
    expect(
      await collect(client.stream(address, Count, messages({ upTo: 1, delayMs: 0 }), outbound())),
    ).toHaveLength(1);
    await first.close(0);

    const second = await transport.listen({
      address,
      router: createEchoRouter("second").router,
      maxMessageBytes: 1_024,
    });
    cleanups.push(() => second.close(0));
    // The pooled socket and the h2c session of the old server are gone: both are replaced.
    await vi.waitFor(async () =>
      expect((await client.unary(address, Say, say({ text: "x" }), outbound())).node).toBe(
        "second",
      ),
    );
    const shouted = await collect(
      client.stream(address, Converse, messages(say({ text: "y" })), outbound()),
    );
    expect(shouted).toEqual([{ text: "Y", node: "second", metadata: {}, budgetMs: 0 }]);
  });

  it("keeps one h2c session healthy over many unary calls (no reset per finished call)", async () => {
    const { listener, client } = await serve(createEchoRouter().router, {
      transport: createHttpTransport({ http2Unary: true }),
    });
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 100; i++) {
          await client.unary(listener.address, Say, say({ text: "x" }), outbound());
          done++;
        }
      }),
    );
    expect(done).toBe(2_000);
  });

  it("round-trips a micro error exactly, non-ASCII and newlines included", async () => {
    const detail = 'naïve ✓ 日本\nsecond line "quoted"';
    const router: Router = {
      route: (path) =>
        path === Say.endpoint.path
          ? {
              method: Say,
              invoke: (call) => ({
                context: {
                  service: "echo",
                  method: Say,
                  metadata: call.metadata,
                  deadline: call.deadline,
                  signal: call.signal,
                  responseMetadata: {},
                },
                response: Promise.reject(new MicroError("ünï.svc", 418, detail)),
              }),
            }
          : undefined,
      routes: () => [],
    };
    for (const http2Unary of [false, true]) {
      const { listener, client } = await serve(router, {
        transport: createHttpTransport({ http2Unary }),
      });
      const error = await rejection(client.unary(listener.address, Say, say(), outbound()));
      expect(error.toJSON()).toEqual({ id: "ünï.svc", code: 418, detail, status: "Bad Request" });
    }
  });

  it("a server stream past its deadline fails with 408 and the handler is aborted", async () => {
    const echo = createEchoRouter();
    const { listener, client } = await serve(echo.router);
    const received: number[] = [];
    const started = Date.now();
    const error = await rejection(
      (async () => {
        for await (const m of client.stream(
          listener.address,
          Count,
          messages({ upTo: 100, delayMs: 50 }),
          outbound({ deadline: Date.now() + 300 }),
        )) {
          received.push(m.n);
        }
      })(),
    );
    expect(error.code).toBe(408);
    expect(error.detail).toContain("echo.v1.Echo/Count");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(received.length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(echo.seen.aborted.map((a) => a.method)).toContain("Count"));
  });

  it("an oversize envelope in a client stream fails with 413, and the session keeps serving", async () => {
    const { listener, client } = await serve(createEchoRouter().router, { maxMessageBytes: 1_024 });
    const error = await rejection(
      collect(
        client.stream(
          listener.address,
          Collect,
          messages(say({ text: "ok" }), say({ payload: new Uint8Array(4_000) })),
          outbound(),
        ),
      ),
    );
    expect(error.code).toBe(413);
    expect(error.detail).toMatch(/exceeds the limit of 1024 bytes \(maxMessageBytes\)/);
    const again = await collect(
      client.stream(listener.address, Collect, messages(say({ text: "after" })), outbound()),
    );
    expect(again).toEqual([{ texts: ["after"] }]);
  });
});

describe("http transport listener", () => {
  it("refuses new connections once closing, while a call in flight completes", async () => {
    const echo = createEchoRouter();
    const { listener, client } = await serve(echo.router);
    const slow = client.unary(
      listener.address,
      Say,
      say({ text: "slow", delayMs: 300 }),
      outbound(),
    );
    await vi.waitFor(() => expect(echo.seen.started).toContain("Say"));
    const closing = listener.close(5_000);
    const [host, port] = listener.address.split(":") as [string, string];
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), host);
      socket.once("connect", () => {
        socket.destroy();
        resolve("connected");
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(String(error.code)));
    });
    expect(refused).toBe("ECONNREFUSED");
    await expect(slow).resolves.toMatchObject({ text: "slow" });
    await closing;
    expect(echo.seen.aborted).toEqual([]);
  });

  it("a pooled connection the draining server closed gives a retryable 503, never a processed call", async () => {
    const echo = createEchoRouter();
    const { listener, client } = await serve(echo.router);
    await client.unary(listener.address, Say, say({ text: "warm" }), outbound()); // pools a socket
    const calls = echo.seen.started.length;
    await listener.close(1_000);
    const error = await rejection(client.unary(listener.address, Say, say(), outbound()));
    expect(error.code).toBe(503);
    expect(error.id).toBe("micro.client");
    expect(echo.seen.started.length).toBe(calls);
  });

  it("rejects an address or limit it cannot use, naming it", async () => {
    const transport = createHttpTransport();
    const router = createEchoRouter().router;
    await expect(
      transport.listen({ address: "nowhere", router, maxMessageBytes: 1 }),
    ).rejects.toThrow(/address must be host:port, got "nowhere"/);
    await expect(
      transport.listen({ address: "127.0.0.1:0", router, maxMessageBytes: 0 }),
    ).rejects.toThrow(/maxMessageBytes must be a positive integer, got 0/);
    expect(() => createHttpTransport({ idleTimeout: -1 })).toThrow(
      /idleTimeout must be a positive number/,
    );
  });
});

// The behaviour every transport shares, written once and run against each transport
// (memory, grpc) from its own test file.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MicroError } from "../../../src/errors/micro-error.js";
import type { Metadata } from "../../../src/metadata/metadata.js";
import type { MessageType, MethodDescriptor } from "../../../src/method/method-descriptor.js";
import type {
  OutboundCall,
  Transport,
  TransportClient,
  TransportListener,
} from "../../../src/transport/transport.js";
import { EchoDescriptor, type SayRequest } from "../../fixtures/echo-descriptor.js";
import { type EchoObservations, createEchoRouter } from "./echo-router.js";

/** How a transport under test differs where the contract allows it to. */
export interface ContractOptions {
  readonly create: () => Transport;
  /** Address to listen on (port 0). */
  readonly listenAddress: string;
  /** Micro code of a call to a path the server does not serve (memory 404, gRPC 501). */
  readonly unknownMethodCode: number;
  /** An address nobody listens on. */
  readonly deadAddress: () => Promise<string>;
}

const { Say, Count, Collect, Converse } = EchoDescriptor.methods;

/** A SayRequest with defaults, so tests name only what matters. */
export function say(fields: Partial<SayRequest> = {}): SayRequest {
  return { text: "", delayMs: 0, failCode: 0, payload: new Uint8Array(0), ...fields };
}

/** An OutboundCall with defaults. */
export function outbound(fields: Partial<OutboundCall> = {}): OutboundCall {
  return { metadata: {}, deadline: undefined, signal: undefined, ...fields };
}

/** Yields the given messages. */
export async function* messages<T>(...items: T[]): AsyncGenerator<T> {
  yield* items;
}

/** Reads a stream to the end. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Awaits a rejection and returns it as the MicroError it must be. */
export async function rejection(promise: Promise<unknown>): Promise<MicroError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeInstanceOf(MicroError);
  return error as MicroError;
}

/** A message type whose bytes are not valid protobuf, to send malformed requests. */
const Garbage: MessageType<SayRequest> = {
  ...Say.input,
  // Field 1, length-delimited, claiming 127 bytes that never come.
  encode: () => ({ finish: () => new Uint8Array([0x0a, 0x7f, 0x01]) }),
};

/** Defines the shared transport tests. */
export function transportContract(name: string, options: ContractOptions): void {
  describe(`${name} transport: shared contract`, () => {
    let transport: Transport;
    let client: TransportClient;
    let listener: TransportListener;
    let seen: EchoObservations;
    const cleanups: (() => Promise<void>)[] = [];

    async function start(maxMessageBytes = 4 * 1024 * 1024): Promise<string> {
      transport = options.create();
      const echo = createEchoRouter();
      seen = echo.seen;
      listener = await transport.listen({
        address: options.listenAddress,
        router: echo.router,
        maxMessageBytes,
      });
      client = transport.client();
      cleanups.push(
        () => client.close(),
        () => listener.close(0),
      );
      return listener.address;
    }

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("has a name and reports the address it listens on", async () => {
      const address = await start();
      expect(transport.name).toBe(name);
      expect(address).not.toMatch(/:0$/);
    });

    it("unary: carries the request, the response and metadata both ways", async () => {
      const address = await start();
      let responseMetadata: Metadata | undefined;
      const response = await client.unary(
        address,
        Say,
        say({ text: "hello" }),
        outbound({
          metadata: { "x-trace": "abc", "x-user": "ada" },
          onResponseMetadata: (metadata) => (responseMetadata = metadata),
        }),
      );
      expect(response).toEqual({
        text: "hello",
        node: "node-1",
        metadata: { "x-trace": "abc", "x-user": "ada" },
        budgetMs: 0,
      });
      expect(responseMetadata).toEqual({ "x-echo-node": "node-1" });
    });

    it("server streaming: yields every message, metadata set before and after", async () => {
      const address = await start();
      let responseMetadata: Metadata | undefined;
      const out = await collect(
        client.stream(
          address,
          Count,
          messages({ upTo: 5, delayMs: 0 }),
          outbound({ onResponseMetadata: (metadata) => (responseMetadata = metadata) }),
        ),
      );
      expect(out.map((m) => m.n)).toEqual([1, 2, 3, 4, 5]);
      expect(responseMetadata).toEqual({ "x-phase": "started", "x-total": "5" });
    });

    it("client streaming: the handler reads every request and answers once", async () => {
      const address = await start();
      let responseMetadata: Metadata | undefined;
      const out = await collect(
        client.stream(
          address,
          Collect,
          messages(say({ text: "a" }), say({ text: "b" }), say({ text: "c" })),
          outbound({ onResponseMetadata: (metadata) => (responseMetadata = metadata) }),
        ),
      );
      expect(out).toEqual([{ texts: ["a", "b", "c"] }]);
      expect(responseMetadata).toEqual({ "x-count": "3" });
    });

    it("bidi streaming: ping-pong proves requests and responses interleave", async () => {
      const address = await start();
      const replies: string[] = [];
      let wake: (() => void) | undefined;
      async function* pingPong(): AsyncGenerator<SayRequest> {
        for (const text of ["one", "two", "three"]) {
          const replied = new Promise<void>((resolve) => (wake = resolve));
          yield say({ text });
          await replied; // the next request only after the reply to this one
        }
      }
      for await (const reply of client.stream(address, Converse, pingPong(), outbound())) {
        replies.push(reply.text);
        wake?.();
      }
      expect(replies).toEqual(["ONE", "TWO", "THREE"]);
    });

    it("client streaming respects back-pressure instead of buffering the request stream", async () => {
      const address = await start();
      let pulled = 0;
      async function* endless(): AsyncGenerator<SayRequest> {
        for (;;) {
          pulled++;
          yield say({ text: String(pulled), delayMs: 20, payload: new Uint8Array(32 * 1024) });
        }
      }
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const error = await rejection(
        collect(
          client.stream(address, Collect, endless(), outbound({ signal: controller.signal })),
        ),
      );
      expect(error.code).toBe(499);
      expect(seen.received.length).toBeGreaterThan(2);
      expect(pulled).toBeLessThan(seen.received.length + 100);
    });

    it("passes the deadline to the handler and fails late calls with 408", async () => {
      const address = await start();
      const budget = await client.unary(
        address,
        Say,
        say({ text: "x" }),
        outbound({ deadline: Date.now() + 5_000 }),
      );
      expect(budget.budgetMs).toBeGreaterThan(3_000);
      expect(budget.budgetMs).toBeLessThanOrEqual(5_000);

      const started = Date.now();
      const error = await rejection(
        client.unary(
          address,
          Say,
          say({ delayMs: 3_000 }),
          outbound({ deadline: Date.now() + 150 }),
        ),
      );
      expect(error.code).toBe(408);
      expect(Date.now() - started).toBeLessThan(2_000);
      await vi.waitFor(() => expect(seen.aborted.map((a) => a.method)).toContain("Say"));
    });

    it("cancellation through the AbortSignal gives 499 and aborts the handler", async () => {
      const address = await start();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const error = await rejection(
        client.unary(
          address,
          Say,
          say({ delayMs: 3_000 }),
          outbound({ signal: controller.signal }),
        ),
      );
      expect(error.code).toBe(499);
      await vi.waitFor(() => expect(seen.aborted.map((a) => a.method)).toContain("Say"));
      expect((seen.aborted[0]?.reason as MicroError).code).toBe(499);

      const already = new AbortController();
      already.abort();
      expect(
        (await rejection(client.unary(address, Say, say(), outbound({ signal: already.signal }))))
          .code,
      ).toBe(499);
    });

    it("a caller that stops reading a stream cancels the handler", async () => {
      const address = await start();
      const seenNumbers: number[] = [];
      for await (const m of client.stream(
        address,
        Count,
        messages({ upTo: 1_000, delayMs: 5 }),
        outbound(),
      )) {
        seenNumbers.push(m.n);
        if (m.n === 3) break;
      }
      expect(seenNumbers).toEqual([1, 2, 3]);
      await vi.waitFor(() => expect(seen.aborted.map((a) => a.method)).toContain("Count"));
    });

    it("round-trips MicroErrors exactly, also in the middle of a stream", async () => {
      const address = await start();
      for (const code of [400, 404, 409, 418, 500, 503]) {
        const error = await rejection(
          client.unary(address, Say, say({ failCode: code }), outbound()),
        );
        expect(error.toJSON()).toEqual(
          new MicroError("echo", code, `failing with ${code} as asked`).toJSON(),
        );
      }
      let errorMetadata: Metadata | undefined;
      await rejection(
        client.unary(
          address,
          Say,
          say({ failCode: 409 }),
          outbound({ onResponseMetadata: (metadata) => (errorMetadata = metadata) }),
        ),
      );
      expect(errorMetadata).toEqual({ "x-echo-node": "node-1" });
      const received: number[] = [];
      const error = await rejection(
        (async () => {
          for await (const m of client.stream(
            address,
            Count,
            messages({ upTo: 5, delayMs: 0 }),
            outbound({ metadata: { "x-fail-after": "2" } }),
          )) {
            received.push(m.n);
          }
        })(),
      );
      expect(received).toEqual([1, 2]);
      expect(error.toJSON()).toEqual({
        id: "echo",
        code: 409,
        detail: "failing with 409 as asked",
        status: "Conflict",
      });
      const collected = await rejection(
        collect(
          client.stream(
            address,
            Collect,
            messages(say({ text: "a" }), say({ failCode: 403 })),
            outbound(),
          ),
        ),
      );
      expect(collected.code).toBe(403);
    });

    it("rejects an unknown method", async () => {
      const address = await start();
      const unknown: MethodDescriptor<SayRequest, unknown> = {
        ...Say,
        name: "Nope",
        endpoint: { ...Say.endpoint, name: "Echo.Nope", path: "/echo.v1.Echo/Nope" },
      };
      const error = await rejection(client.unary(address, unknown, say(), outbound()));
      expect(error.code).toBe(options.unknownMethodCode);
    });

    it("rejects a malformed request message with 400", async () => {
      const address = await start();
      const malformed: MethodDescriptor<SayRequest, unknown> = { ...Say, input: Garbage };
      const error = await rejection(client.unary(address, malformed, say(), outbound()));
      expect(error.code).toBe(400);
      const streamed = await rejection(
        collect(
          client.stream(address, { ...Collect, input: Garbage }, messages(say()), outbound()),
        ),
      );
      expect(streamed.code).toBe(400);
    });

    it("enforces maxMessageBytes on requests and responses with 413", async () => {
      const address = await start(1_024);
      await expect(
        client.unary(address, Say, say({ text: "x".repeat(900) }), outbound()),
      ).resolves.toMatchObject({
        text: "x".repeat(900),
      });
      const big = await rejection(
        client.unary(address, Say, say({ payload: new Uint8Array(2_000) }), outbound()),
      );
      expect(big.code).toBe(413);
      const bigReply = await rejection(
        client.unary(
          address,
          Say,
          say({ text: "xx" }),
          outbound({ metadata: { "x-repeat": "1000" } }),
        ),
      );
      expect(bigReply.code).toBe(413);
    });

    it("closes gracefully: in-flight calls finish, new calls get 503", async () => {
      const address = await start();
      const slow = client.unary(address, Say, say({ text: "slow", delayMs: 300 }), outbound());
      const slowStream = collect(
        client.stream(address, Count, messages({ upTo: 3, delayMs: 100 }), outbound()),
      );
      await vi.waitFor(() =>
        expect(seen.started).toEqual(expect.arrayContaining(["Say", "Count"])),
      );
      const closing = listener.close(10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const late = await rejection(client.unary(address, Say, say(), outbound()));
      expect(late.code).toBe(503);
      await expect(slow).resolves.toMatchObject({ text: "slow" });
      expect((await slowStream).map((m) => m.n)).toEqual([1, 2, 3]);
      await closing;
      expect(seen.aborted).toEqual([]);
      const after = await rejection(client.unary(address, Say, say(), outbound()));
      expect(after.code).toBe(503);
    });

    it("a close past its timeout aborts the calls still running", async () => {
      const address = await start();
      const stuck = rejection(client.unary(address, Say, say({ delayMs: 10_000 }), outbound()));
      await vi.waitFor(() => expect(seen.started).toContain("Say"));
      const started = Date.now();
      await listener.close(100);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await stuck).code).toBe(503);
      await vi.waitFor(() => expect(seen.aborted.map((a) => a.method)).toContain("Say"));
    });

    it("an address nobody listens on gives 503 from micro.client", async () => {
      await start();
      const error = await rejection(
        client.unary(await options.deadAddress(), Say, say(), outbound()),
      );
      expect(error.code).toBe(503);
      expect(error.id).toBe("micro.client");
    });
  });
}

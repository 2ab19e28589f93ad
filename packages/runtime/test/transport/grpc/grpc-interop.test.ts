// The gRPC transport against clients and servers that know nothing of micro: `buf curl`
// (Go), a @grpc/proto-loader client built from the .proto, and plain grpc-js servers.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceError,
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  status,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Metadata as MicroMetadata } from "../../../src/metadata/metadata.js";
import { createGrpcTransport } from "../../../src/transport/grpc/index.js";
import type { TransportListener } from "../../../src/transport/transport.js";
import { EchoDescriptor, SayRequest } from "../../fixtures/echo-descriptor.js";
import { createEchoRouter } from "../memory/echo-router.js";
import { collect, messages, outbound, rejection, say } from "../memory/transport-contract.js";
import { rawEchoService } from "./raw-echo.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const schema = fileURLToPath(new URL("../../fixtures/proto", import.meta.url));
const buf = `${root}node_modules/.bin/buf`;

/** Runs `buf curl` over gRPC; resolves with its exit code and outputs. */
async function bufCurl(address: string, method: string, body: unknown, headers: string[] = []) {
  const args = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--schema", schema];
  for (const header of headers) args.push("-H", header);
  args.push("-d", JSON.stringify(body), `http://${address}/echo.v1.Echo/${method}`);
  try {
    const { stdout, stderr } = await run(buf, args, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Splits buf curl's output, pretty-printed JSON objects one after another. */
function jsonObjects(text: string): unknown[] {
  return text
    .trim()
    .split(/\n(?=\{)/)
    .map((part) => JSON.parse(part));
}

let listener: TransportListener;
beforeEach(async () => {
  listener = await createGrpcTransport().listen({
    address: "127.0.0.1:0",
    router: createEchoRouter().router,
    maxMessageBytes: 64 * 1024,
  });
});
afterEach(() => listener.close(0));

describe("grpc transport served to buf curl", () => {
  it("answers a unary call and passes request headers as metadata", async () => {
    const result = await bufCurl(listener.address, "Say", { text: "hi" }, ["x-trace: abc"]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonObjects(result.stdout)).toEqual([
      { text: "hi", node: "node-1", metadata: { "x-trace": "abc" } },
    ]);
  });

  it("streams a server-streaming response", async () => {
    const result = await bufCurl(listener.address, "Count", { upTo: 3 });
    expect(result.code, result.stderr).toBe(0);
    expect(jsonObjects(result.stdout)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("reports a MicroError as the matching gRPC status", async () => {
    const result = await bufCurl(listener.address, "Say", { failCode: 404 });
    expect(result.code).not.toBe(0);
    expect(jsonObjects(result.stdout + result.stderr)).toEqual([
      { code: "not_found", message: "failing with 404 as asked" },
    ]);
  });
});

// A client generated at runtime from echo.proto by @grpc/proto-loader (protobuf.js codec).
interface LoadedEchoClient {
  Say(
    request: object,
    metadata: Metadata,
    callback: (error: ServiceError | null, value?: any) => void,
  ): any;
  Count(request: object): ClientReadableStream<any>;
  Collect(callback: (error: ServiceError | null, value?: any) => void): ClientWritableStream<any>;
  Converse(): ClientDuplexStream<any, any>;
  close(): void;
}

function loadedClient(address: string): LoadedEchoClient {
  const definition = loadSync("echo/v1/echo.proto", { includeDirs: [schema], defaults: true });
  const loaded = loadPackageDefinition(definition) as any;
  return new loaded.echo.v1.Echo(address, credentials.createInsecure());
}

describe("grpc transport served to a @grpc/proto-loader client", () => {
  it("serves all four kinds", async () => {
    const client = loadedClient(listener.address);
    try {
      const metadata = new Metadata();
      metadata.set("x-trace", "abc");
      let headers: Metadata | undefined;
      const said = await new Promise<any>((resolve, reject) => {
        const call = client.Say({ text: "hi" }, metadata, (error, value) =>
          error ? reject(error) : resolve(value),
        );
        call.on("metadata", (m: Metadata) => (headers = m));
      });
      expect(said).toMatchObject({ text: "hi", node: "node-1", metadata: { "x-trace": "abc" } });
      expect(headers?.get("x-echo-node")).toEqual(["node-1"]);

      const counted = await collect(client.Count({ upTo: 4 }) as AsyncIterable<{ n: number }>);
      expect(counted.map((m) => m.n)).toEqual([1, 2, 3, 4]);

      const collected = await new Promise<any>((resolve, reject) => {
        const call = client.Collect((error, value) => (error ? reject(error) : resolve(value)));
        call.write({ text: "a" });
        call.write({ text: "b" });
        call.end();
      });
      expect(collected.texts).toEqual(["a", "b"]);

      const duplex = client.Converse();
      duplex.write({ text: "x" });
      duplex.write({ text: "y" });
      duplex.end();
      const replies = await collect(duplex as AsyncIterable<{ text: string }>);
      expect(replies.map((m) => m.text)).toEqual(["X", "Y"]);
    } finally {
      client.close();
    }
  });
});

describe("grpc transport statuses as a plain grpc-js client sees them", () => {
  const RawClient = makeGenericClientConstructor(rawEchoService, "Echo");

  function callRaw(
    address: string,
    request: Buffer | object,
    deadline?: number,
    path = "/echo.v1.Echo/Say",
  ) {
    const client = new RawClient(address, credentials.createInsecure());
    const bytes = Buffer.isBuffer(request)
      ? request
      : Buffer.from(SayRequest.encode(request as SayRequest).finish());
    return new Promise<ServiceError>((resolve, reject) => {
      client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        new Metadata(),
        deadline === undefined ? {} : { deadline },
        (error) => {
          client.close();
          if (error) resolve(error);
          else reject(new Error("expected the call to fail"));
        },
      );
    });
  }

  it("maps micro codes through the table and adds the micro-error trailer", async () => {
    const expected: [number, number][] = [
      [400, status.INVALID_ARGUMENT],
      [401, status.UNAUTHENTICATED],
      [403, status.PERMISSION_DENIED],
      [404, status.NOT_FOUND],
      [409, status.ALREADY_EXISTS],
      [429, status.RESOURCE_EXHAUSTED],
      [500, status.INTERNAL],
      [501, status.UNIMPLEMENTED],
      [503, status.UNAVAILABLE],
    ];
    for (const [code, grpc] of expected) {
      const error = await callRaw(listener.address, say({ failCode: code }));
      expect(error.code, `micro ${code}`).toBe(grpc);
      expect(error.details).toBe(`failing with ${code} as asked`);
      expect(JSON.parse(String(error.metadata.get("micro-error")[0]))).toMatchObject({
        id: "echo",
        code,
      });
    }
  });

  it("answers malformed bytes with INVALID_ARGUMENT, not INTERNAL", async () => {
    const error = await callRaw(listener.address, Buffer.from([0x0a, 0x7f, 0x01]));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/malformed protobuf message/);
  });

  it("answers oversize with RESOURCE_EXHAUSTED and unknown methods with UNIMPLEMENTED", async () => {
    const big = await callRaw(listener.address, say({ payload: new Uint8Array(100 * 1024) }));
    expect(big.code).toBe(status.RESOURCE_EXHAUSTED);
    const unknown = await callRaw(listener.address, say(), undefined, "/echo.v1.Echo/Nope");
    expect(unknown.code).toBe(status.UNIMPLEMENTED);
  });

  it("answers a passed deadline with DEADLINE_EXCEEDED", async () => {
    const error = await callRaw(listener.address, say({ delayMs: 2_000 }), Date.now() + 100);
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
  });
});

describe("grpc transport client calling a plain grpc-js server", () => {
  let server: Server;
  let address: string;
  beforeEach(async () => {
    server = new Server();
    server.addService(rawEchoService, {
      Say(call: any, callback: any) {
        const request = call.request as SayRequest;
        if (request.failCode !== 0) {
          callback({ code: status.NOT_FOUND, details: "no such echo" });
          return;
        }
        const headers = new Metadata();
        headers.set("x-plain", "yes");
        headers.set("x-blob-bin", Buffer.from([1, 2, 3]));
        call.sendMetadata(headers);
        const seen = call.metadata.get("x-blob-bin")[0] as Buffer;
        callback(null, {
          text: `${request.text}:${seen?.toString("hex")}`,
          node: "plain",
          metadata: {},
          budgetMs: Number.isFinite(Number(call.getDeadline()))
            ? Number(call.getDeadline()) - Date.now()
            : -1,
        });
      },
      Count() {},
      Collect() {},
      Converse() {},
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
  });
  afterEach(() => server.forceShutdown());

  it("gets responses, headers and -bin metadata (as base64) across", async () => {
    const client = createGrpcTransport().client();
    let headers: MicroMetadata | undefined;
    const response = await client.unary(
      address,
      EchoDescriptor.methods.Say,
      say({ text: "hi" }),
      outbound({
        metadata: { "x-blob-bin": Buffer.from([0xca, 0xfe]).toString("base64") },
        onResponseMetadata: (m) => (headers = m),
      }),
    );
    expect(response.text).toBe("hi:cafe");
    expect(headers).toEqual({
      "x-plain": "yes",
      "x-blob-bin": Buffer.from([1, 2, 3]).toString("base64"),
    });
    await client.close();
  });

  it("sends the call's deadline as grpc-timeout, so a plain server sees it", async () => {
    const client = createGrpcTransport().client();
    const timed = await client.unary(
      address,
      EchoDescriptor.methods.Say,
      say({ text: "t" }),
      outbound({ deadline: Date.now() + 3_000 }),
    );
    expect(timed.budgetMs).toBeGreaterThan(2_000);
    expect(timed.budgetMs).toBeLessThanOrEqual(3_000);
    const untimed = await client.unary(address, EchoDescriptor.methods.Say, say(), outbound());
    expect(untimed.budgetMs).toBe(-1);
    await client.close();
  });

  it("maps a status without a micro-error trailer through the table", async () => {
    const client = createGrpcTransport().client();
    const error = await rejection(
      client.unary(address, EchoDescriptor.methods.Say, say({ failCode: 1 }), outbound()),
    );
    expect(error.toJSON()).toEqual({
      id: "micro.client",
      code: 404,
      detail: "no such echo",
      status: "Not Found",
    });
    await client.close();
  });

  it("names a metadata value gRPC cannot carry", async () => {
    const client = createGrpcTransport().client();
    const error = await rejection(
      client.unary(
        address,
        EchoDescriptor.methods.Say,
        say(),
        outbound({ metadata: { "x-bad": "line\nbreak" } }),
      ),
    );
    expect(error.code).toBe(400);
    expect(error.detail).toMatch(/"x-bad"/);
    await client.close();
  });
});

describe("grpc transport streams", () => {
  it("a forced close ends an in-flight stream with 503 for the caller", async () => {
    const transport = createGrpcTransport();
    const echo = createEchoRouter();
    const own = await transport.listen({
      address: "127.0.0.1:0",
      router: echo.router,
      maxMessageBytes: 1_024,
    });
    const client = transport.client();
    const received: number[] = [];
    const failure = rejection(
      (async () => {
        for await (const m of client.stream(
          own.address,
          EchoDescriptor.methods.Count,
          messages({ upTo: 1_000, delayMs: 20 }),
          outbound(),
        )) {
          received.push(m.n);
        }
      })(),
    );
    while (received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await own.close(50);
    const error = await failure;
    expect(error.code).toBe(503);
    expect(echo.seen.aborted.map((a) => (a.reason as { code: number }).code)).toEqual([503]);
    await client.close();
  });
});

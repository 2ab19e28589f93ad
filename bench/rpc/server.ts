// One benchmark server per process, so client and server never share an event loop.
// Usage: server.ts <micro-http|raw-http|micro-grpc|raw-grpc>; prints "LISTENING host:port".
import { createServer as createHttpServer } from "node:http";
import * as grpc from "@grpc/grpc-js";
import {
  createHttpTransport,
  createMemoryRegistry,
  createServer,
  type Transport,
} from "@micro-ts/runtime";
import { createGrpcTransport } from "@micro-ts/runtime/grpc";
import { registerGreeterHandler } from "../../examples/greeter/gen/greeter/v1/greeter.micro.js";
import { HelloRequest, HelloResponse } from "../../examples/greeter/gen/greeter/v1/greeter.js";
import { answer, benchGreeter } from "./bench-handler.js";

const mode = process.argv[2];
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function micro(transport: Transport): Promise<string> {
  const server = createServer({
    name: "bench",
    transport,
    registry: createMemoryRegistry(),
    logger: silent,
  });
  registerGreeterHandler(server, benchGreeter);
  await server.start();
  return server.address as string;
}

function rawHttp(): Promise<string> {
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = HelloResponse.encode(
        answer(HelloRequest.decode(Buffer.concat(chunks))),
      ).finish();
      response.writeHead(200, {
        "content-type": "application/proto",
        "content-length": body.length,
      });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(`127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    }),
  );
}

function rawGrpc(): Promise<string> {
  const server = new grpc.Server();
  server.addService(
    {
      Hello: {
        path: "/greeter.v1.Greeter/Hello",
        requestStream: false,
        responseStream: false,
        requestDeserialize: (bytes: Buffer) => HelloRequest.decode(bytes),
        requestSerialize: (message: HelloRequest) =>
          Buffer.from(HelloRequest.encode(message).finish()),
        responseSerialize: (message: HelloResponse) =>
          Buffer.from(HelloResponse.encode(message).finish()),
        responseDeserialize: (bytes: Buffer) => HelloResponse.decode(bytes),
      },
    },
    {
      Hello: (
        call: grpc.ServerUnaryCall<HelloRequest, HelloResponse>,
        callback: grpc.sendUnaryData<HelloResponse>,
      ) => callback(null, answer(call.request)),
    },
  );
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(`127.0.0.1:${port}`),
    ),
  );
}

const address =
  mode === "micro-http"
    ? await micro(createHttpTransport())
    : mode === "micro-grpc"
      ? await micro(createGrpcTransport())
      : mode === "raw-http"
        ? await rawHttp()
        : mode === "raw-grpc"
          ? await rawGrpc()
          : undefined;
if (address === undefined) {
  console.error(`unknown mode ${mode}; use micro-http, raw-http, micro-grpc or raw-grpc`);
  process.exit(2);
}
console.log(`LISTENING ${address}`);

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ServerCredentials, credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGrpcTransport } from "../../../src/transport/grpc/index.js";
import { EchoDescriptor } from "../../fixtures/echo-descriptor.js";
import { createEchoRouter } from "../memory/echo-router.js";
import { outbound, rejection, say } from "../memory/transport-contract.js";

let dir: string;
let cert: Buffer;
let key: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "micro-grpc-tls-"));
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
  ]);
  cert = await readFile(join(dir, "cert.pem"));
  key = await readFile(join(dir, "key.pem"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("serves and calls over TLS with the credentials options", async () => {
  const transport = createGrpcTransport({
    serverCredentials: ServerCredentials.createSsl(
      null,
      [{ cert_chain: cert, private_key: key }],
      false,
    ),
    channelCredentials: credentials.createSsl(cert),
  });
  const listener = await transport.listen({
    address: "127.0.0.1:0",
    router: createEchoRouter().router,
    maxMessageBytes: 1_024,
  });
  const client = transport.client();
  const { Say } = EchoDescriptor.methods;
  await expect(
    client.unary(listener.address, Say, say({ text: "secret" }), outbound()),
  ).resolves.toMatchObject({
    text: "secret",
  });
  // A plaintext client cannot talk to the TLS server: unavailable, retryable elsewhere.
  const plain = createGrpcTransport().client();
  const error = await rejection(
    plain.unary(listener.address, Say, say(), outbound({ deadline: Date.now() + 5_000 })),
  );
  expect(error.code).toBe(503);
  await Promise.all([client.close(), plain.close()]);
  await listener.close(0);
});

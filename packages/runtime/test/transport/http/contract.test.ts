import { createServer } from "node:net";
import { describe } from "vitest";
import { createHttpTransport } from "../../../src/transport/http/http-transport.js";
import { transportContract } from "../memory/transport-contract.js";

/** A port that was free a moment ago and has nobody listening on it now. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

describe("unary over the HTTP/1.1 keep-alive pool, streams over h2c", () => {
  transportContract("http", {
    create: () => createHttpTransport(),
    listenAddress: "127.0.0.1:0",
    unknownMethodCode: 404,
    deadAddress,
  });
});

describe("unary and streams over h2c (http2Unary)", () => {
  transportContract("http", {
    create: () => createHttpTransport({ http2Unary: true }),
    listenAddress: "127.0.0.1:0",
    unknownMethodCode: 404,
    deadAddress,
  });
});

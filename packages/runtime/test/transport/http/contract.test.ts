import { createServer } from "node:net";
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

transportContract("http", {
  create: () => createHttpTransport(),
  listenAddress: "127.0.0.1:0",
  unknownMethodCode: 404,
  deadAddress,
});

transportContract("http", {
  create: () => createHttpTransport({ http2Unary: true }),
  listenAddress: "127.0.0.1:0",
  unknownMethodCode: 404,
  deadAddress,
});

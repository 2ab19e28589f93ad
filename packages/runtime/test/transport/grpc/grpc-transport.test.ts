import { createServer } from "node:net";
import { createGrpcTransport } from "../../../src/transport/grpc/index.js";
import { transportContract } from "../memory/transport-contract.js";

/** A port that was free a moment ago and has nobody listening on it now. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

transportContract("grpc", {
  create: () => createGrpcTransport(),
  listenAddress: "127.0.0.1:0",
  unknownMethodCode: 501,
  deadAddress,
});

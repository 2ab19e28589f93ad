// The NATS transport against a nats-server of its own, through the shared transport contract.
import { afterAll, beforeAll, describe } from "vitest";
import { createNatsTransport } from "../../src/nats/nats-transport.js";
import { transportContract } from "../transport/memory/transport-contract.js";
import { type NatsServer, startNatsServer } from "./nats-server.js";

let server: NatsServer | undefined;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.close();
});

describe("request/reply on a subject per node", () => {
  transportContract("nats", {
    create: () => createNatsTransport({ servers: (server as NatsServer).address }),
    listenAddress: "127.0.0.1:0",
    unknownMethodCode: 404,
    deadAddress: async () => "micro.rpc.nobody",
  });
});

// A service on the shared NATS (127.0.0.1:4222) registry with the default http transport
// and no address settings: it must register this host's routable address and be callable
// there by a client that reads the registry over a connection of its own.
import { randomUUID } from "node:crypto";
import { networkInterfaces } from "node:os";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import {
  createClient,
  createHttpTransport,
  createMemoryBroker,
  createSelector,
  createService,
} from "../../src/index.js";
import { createNatsRegistry } from "../../src/nats/index.js";
import { routableHost } from "../../src/service/server-address.js";
import { EchoDescriptor, SayResponse, type SayRequest } from "../fixtures/echo-descriptor.js";

const servers = "127.0.0.1:4222";
const bucket = `t-advertise-${randomUUID()}`;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("a service on a NATS registry without address settings", () => {
  afterAll(async () => {
    const nc = await connect({ servers });
    await (await new Kvm(nc).open(bucket)).destroy();
    await nc.close();
  });

  it("listens on all interfaces and registers the host's routable IPv4, where it is called", async () => {
    const name = `advertise-${randomUUID()}`;
    const service = createService({
      name,
      registry: createNatsRegistry({ servers, bucket }),
      broker: createMemoryBroker(),
      env: {},
      logger: silent,
    });
    service.server.handle(EchoDescriptor, {
      Say: async (request: SayRequest) => SayResponse.fromPartial({ text: request.text }),
      async *Count() {},
      Collect: async () => ({ texts: [] }),
      async *Converse() {},
    });
    await service.start();

    const reader = createNatsRegistry({ servers, bucket });
    const selector = createSelector({ registry: reader, logger: silent });
    const client = createClient({ transport: createHttpTransport(), selector, retries: 0 });
    try {
      const [record] = await reader.getService(name);
      const address = record?.nodes[0]?.address ?? "";
      expect(address).toMatch(new RegExp(`^${routableHost(networkInterfaces())}:\\d+$`));
      expect(address).not.toMatch(/:0$/);
      expect(service.server.address).toBe(address);

      const reply = await client.call(name, EchoDescriptor.methods.Say, {
        text: "over the advertised address",
        delayMs: 0,
        failCode: 0,
        payload: new Uint8Array(),
      });
      expect(reply.text).toBe("over the advertised address");
    } finally {
      await client.close();
      await selector.close();
      await reader.close();
      await service.stop();
    }
  });
});

// A service on the shared NATS (127.0.0.1:4222) registry with the default http transport
// and no address settings: it must register this host's routable address (read back over a
// registry connection of its own) and listen on every interface. The call itself goes to
// loopback on the advertised port: tests here send traffic to 127.0.0.1 only.
import { randomUUID } from "node:crypto";
import { networkInterfaces } from "node:os";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import {
  createClient,
  createHttpTransport,
  createMemoryBroker,
  createMemoryRegistry,
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

  it("listens on all interfaces and registers the host's routable IPv4", async () => {
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
    const loopback = createMemoryRegistry();
    const selector = createSelector({ registry: loopback, logger: silent });
    const client = createClient({ transport: createHttpTransport(), selector, retries: 0 });
    try {
      const [record] = await reader.getService(name);
      const address = record?.nodes[0]?.address ?? "";
      expect(address).toMatch(new RegExp(`^${routableHost(networkInterfaces())}:\\d+$`));
      expect(address).not.toMatch(/:0$/);
      expect(service.server.address).toBe(address);

      const port = address.slice(address.lastIndexOf(":") + 1);
      const node = { ...record!.nodes[0]!, address: `127.0.0.1:${port}` };
      await loopback.register({ ...record!, nodes: [node] });

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
      await loopback.close();
      await reader.close();
      await service.stop();
    }
  });
});

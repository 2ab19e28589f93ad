// The NATS KV registry against a nats-server of its own: the shared registry contract,
// fail-fast on a wrong address, and a registry that rides out a server restart.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MicroError } from "../../src/errors/micro-error.js";
import { createNatsRegistry } from "../../src/nats/nats-registry.js";
import { freePort } from "./free-port.js";
import { type NatsServer, startNatsServer } from "./nats-server.js";
import { eventually, registryContract, service } from "./registry-contract.js";

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server.close();
});

describe("nats registry", () => {
  // A bucket per test, shared by the registries that test opens.
  let bucket = "";
  beforeEach(() => {
    bucket = `t-${randomUUID()}`;
  });
  registryContract({
    name: "nats",
    shortTtl: 400,
    create: async () => createNatsRegistry({ servers: server.address, bucket }),
  });

  it("fails fast naming the address when nothing listens", async () => {
    const port = await freePort();
    const registry = createNatsRegistry({ servers: `127.0.0.1:${port}`, connectTimeout: 400 });
    const error = await registry.getService("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect((error as MicroError).detail).toContain(`cannot reach NATS at 127.0.0.1:${port}`);
    await registry.close();
  });

  it("rejects a TTL above the bucket's max age", async () => {
    const registry = createNatsRegistry({ servers: server.address, bucket, maxTtl: 1_000 });
    await expect(
      registry.register(service("greeter", ["a"]), { ttl: 2_000 }),
    ).rejects.toMatchObject({ code: 400 });
    await registry.close();
  });

  it("answers 503 while disconnected and sees new nodes after a server restart", async () => {
    const registry = createNatsRegistry({ servers: server.address, bucket });
    const reader = createNatsRegistry({ servers: server.address, bucket });
    await registry.register(service("greeter", ["a"]), { ttl: 60_000 });
    await eventually(() => true);
    let ids: string[] = [];
    const poll = () =>
      reader
        .getService("greeter")
        .then((records) => (ids = records[0]?.nodes.map((n) => n.id) ?? []))
        .catch(() => (ids = ["503"]));
    await poll();
    expect(ids).toEqual(["a"]);
    await server.stop();
    await eventually(() => {
      void poll();
      return ids[0] === "503";
    });
    await server.start();
    // As a server's heartbeat does: retry until JetStream is back.
    for (let tries = 0; ; tries++) {
      const failed = await registry
        .register(service("greeter", ["b"]), { ttl: 60_000 })
        .then(() => false)
        .catch((error: unknown) => (tries < 20 ? true : Promise.reject(error)));
      if (!failed) break;
    }
    await eventually(() => {
      void poll();
      return ids.length === 2;
    }, 15_000);
    expect(ids).toEqual(["a", "b"]);
    await registry.close();
    await reader.close();
  });
});

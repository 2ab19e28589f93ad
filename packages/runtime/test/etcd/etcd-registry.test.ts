// The etcd registry against an etcd of its own: the shared registry contract (leases as
// TTLs), fail-fast on a wrong address, and registration retried through an outage.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEtcdRegistry } from "../../src/etcd/etcd-registry.js";
import { MicroError } from "../../src/errors/micro-error.js";
import { freePort } from "../nats/free-port.js";
import { eventually, registryContract, service } from "../nats/registry-contract.js";
import { type EtcdServer, startEtcdServer } from "./etcd-server.js";

let server: EtcdServer;
beforeAll(async () => {
  server = await startEtcdServer();
});
afterAll(async () => {
  await server.close();
});

describe("etcd registry", () => {
  // A key prefix per test, shared by the registries that test opens.
  let prefix = "";
  beforeEach(() => {
    prefix = `/t/${randomUUID()}`;
  });
  registryContract({
    name: "etcd",
    // etcd leases count whole seconds, with a floor of about two.
    shortTtl: 2_000,
    create: async () => createEtcdRegistry({ hosts: server.address, prefix }),
  });

  it("fails fast naming the address when nothing listens", async () => {
    const port = await freePort();
    const registry = createEtcdRegistry({ hosts: `127.0.0.1:${port}`, connectTimeout: 500 });
    const started = Date.now();
    const error = await registry.register(service("greeter", ["a"])).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error).toBeInstanceOf(MicroError);
    expect((error as MicroError).detail).toContain(`at 127.0.0.1:${port} within 500 ms`);
    await registry.close();
  });

  it("retries a registration through an outage and a watcher resumes after it", async () => {
    const registry = createEtcdRegistry({ hosts: server.address, prefix, connectTimeout: 20_000 });
    const reader = createEtcdRegistry({ hosts: server.address, prefix });
    const seen: string[] = [];
    void (async () => {
      for await (const event of reader.watch())
        seen.push(`${event.type}:${event.service.nodes.map((n) => n.id).join(",")}`);
    })();
    await registry.register(service("greeter", ["a"]), { ttl: 30_000 });
    await eventually(() => seen.length === 1);
    await server.stop();
    const registering = registry.register(service("greeter", ["b"]), { ttl: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await server.start();
    await registering;
    await eventually(() => seen.length === 2, 15_000);
    expect(seen).toEqual(["create:a", "update:a,b"]);
    await registry.close();
    await reader.close();
  });
});

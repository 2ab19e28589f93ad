// The micro CLI on the engines services are configured with (MICRO_REGISTRY=nats|etcd,
// MICRO_BROKER=nats, MICRO_TRANSPORT=nats|grpc): greeters on a nats-server and an etcd of
// the test's own, and the CLI spawned with the same env.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micro } from "../generate/lib/fixture-project.js";
import {
  type Greeter,
  freePort,
  startEtcdServer,
  startGreeter,
  startNatsServer,
} from "../faults/lib/cluster.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a greeter with `env` and stops it (SIGKILL) after the file's tests. */
async function greeterOn(env: Record<string, string>): Promise<Greeter> {
  const greeter = await startGreeter(env);
  cleanups.push(async () => void (await greeter.stop("SIGKILL")));
  return greeter;
}

describe("on NATS: registry, broker and transport", { timeout: 120_000 }, () => {
  let env: Record<string, string>;
  let greeter: Greeter;
  beforeAll(async () => {
    const nats = await startNatsServer();
    cleanups.push(() => nats.close());
    env = {
      MICRO_REGISTRY: "nats",
      MICRO_REGISTRY_ADDRESS: nats.address,
      MICRO_BROKER: "nats",
      MICRO_BROKER_ADDRESS: nats.address,
      MICRO_TRANSPORT: "nats",
      MICRO_TRANSPORT_ADDRESS: nats.address,
    };
    greeter = await greeterOn(env);
  });

  it("micro services lists the greeter with its nats node", async () => {
    const result = await micro(["services"], { env: { ...env, NO_COLOR: "" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("greeter 1.0.0");
    expect(result.stdout).toContain(`${greeter.address}  nats`);
  });

  it("micro call replies over the nats transport in JSON, unary and streamed", async () => {
    const unary = await micro(["call", "greeter", "Greeter.Hello", '{"name":"x"}'], { env });
    expect(unary.code, unary.stderr).toBe(0);
    expect(JSON.parse(unary.stdout)).toEqual({ message: "Hello x" });
    const streamed = await micro(["call", "greeter", "Greeter.Stream", '{"name":"y","count":2}'], {
      env,
    });
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stdout.trim().split("\n")).toEqual([
      '{"message":"Hello y (1/2)"}',
      '{"message":"Hello y (2/2)","index":1}',
    ]);
    // A service error travels back as the micro error.
    const bad = await micro(["call", "greeter", "Greeter.Hello", '{"name":" "}'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("400 greeter: name is required");
  });

  it("micro publish reaches the greeter's subscriber over NATS", async () => {
    const result = await micro(["publish", "greeter.greeted", '{"name":"OverNats"}'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("published to greeter.greeted (on nats)");
    await greeter.waitFor(/greeted OverNats \(topic greeter\.greeted\)/);
  });

  it("micro health probes the node over its nats transport", async () => {
    const result = await micro(["health", "greeter"], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("greeter: 1/1 node healthy");
  });
});

describe("on etcd with the http transport", { timeout: 120_000 }, () => {
  let env: Record<string, string>;
  let greeter: Greeter;
  beforeAll(async () => {
    const etcd = await startEtcdServer();
    cleanups.push(() => etcd.close());
    env = { MICRO_REGISTRY: "etcd", MICRO_REGISTRY_ADDRESS: etcd.address };
    greeter = await greeterOn({ ...env, MICRO_SERVER_ADDRESS: "127.0.0.1:0" });
  });

  it("lists, calls, publishes and probes through the etcd registry", async () => {
    const services = await micro(["services"], { env: { ...env, NO_COLOR: "" } });
    expect(services.code, services.stderr).toBe(0);
    expect(services.stdout).toContain("greeter 1.0.0");
    expect(services.stdout).toContain(`${greeter.address}  http`);
    const call = await micro(["call", "greeter", "Greeter.Hello", '{"name":"x"}'], { env });
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ message: "Hello x" });
    // The local broker finds its subscribers in the registry: here, in etcd.
    const publish = await micro(["publish", "greeter.greeted", '{"name":"OverEtcd"}'], { env });
    expect(publish.code, publish.stderr).toBe(0);
    expect(publish.stdout).toContain("published to greeter.greeted (1 subscription)");
    await greeter.waitFor(/greeted OverEtcd \(topic greeter\.greeted\)/);
    const health = await micro(["health", "greeter"], { env });
    expect(health.code, health.stdout + health.stderr).toBe(0);
    expect(health.stdout).toContain("greeter: 1/1 node healthy");
  });
});

describe("an engine that cannot be reached", { timeout: 60_000 }, () => {
  it("micro services on a closed NATS port fails within MICRO_CONNECT_TIMEOUT, naming it", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const result = await micro(["services"], {
      env: { MICRO_REGISTRY: "nats", MICRO_REGISTRY_ADDRESS: address, MICRO_CONNECT_TIMEOUT: "1s" },
    });
    expect(result.code).toBe(1);
    // The configured wait (1 s), not the 5 s default, in the message.
    expect(result.stderr).toContain(`cannot reach NATS at ${address} within 1000 ms`);
    expect(result.stdout).toBe("");
  });

  it("micro services on a closed etcd port fails, naming the address", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const result = await micro(["services"], {
      env: { MICRO_REGISTRY: "etcd", MICRO_REGISTRY_ADDRESS: address, MICRO_CONNECT_TIMEOUT: "1s" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`etcd registry: listing services at ${address} failed`);
    expect(result.stdout).toBe("");
  });
});

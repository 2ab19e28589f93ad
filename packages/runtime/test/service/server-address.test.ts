import { describe, expect, it } from "vitest";
import {
  type InterfaceTable,
  type ServerAddressChoices,
  advertisingTransport,
  resolveServerAddress,
  routableHost,
} from "../../src/service/server-address.js";
import { createMemoryTransport } from "../../src/index.js";
import type { Router } from "../../src/transport/transport.js";

const loopback = {
  address: "127.0.0.1",
  netmask: "255.0.0.0",
  family: "IPv4",
  mac: "00:00:00:00:00:00",
  internal: true,
  cidr: "127.0.0.1/8",
} as const;
const v6 = {
  address: "fd00::2",
  netmask: "ffff:ffff:ffff:ffff::",
  family: "IPv6",
  mac: "02:00:00:00:00:01",
  internal: false,
  cidr: "fd00::2/64",
  scopeid: 0,
} as const;
const lan = (address: string) =>
  ({
    address,
    netmask: "255.255.255.0",
    family: "IPv4",
    mac: "02:00:00:00:00:01",
    internal: false,
    cidr: `${address}/24`,
  }) as const;

const host: InterfaceTable = {
  lo: [loopback],
  eth0: [v6, lan("10.1.2.3")],
  eth1: [lan("10.9.9.9")],
};

function resolve(choices: Partial<ServerAddressChoices>, interfaces: InterfaceTable = host) {
  return resolveServerAddress({
    env: {},
    options: {},
    registry: "nats",
    transport: "http",
    interfaces: () => interfaces,
    ...choices,
  });
}

describe("routableHost", () => {
  it("takes the first non-internal IPv4, skipping loopback and IPv6", () => {
    expect(routableHost(host)).toBe("10.1.2.3");
  });

  it("falls back to 127.0.0.1 when the host has only internal or IPv6 interfaces", () => {
    expect(routableHost({ lo: [loopback], eth0: [v6] })).toBe("127.0.0.1");
    expect(routableHost({})).toBe("127.0.0.1");
  });
});

describe("resolveServerAddress", () => {
  it("listens on all interfaces and advertises the host IP with a nats or etcd registry", () => {
    for (const registry of ["nats", "etcd"]) {
      const address = resolve({ registry });
      expect(address.listen).toBe("0.0.0.0:0");
      // The http listener reports a wildcard bind as loopback, grpc as 0.0.0.0.
      expect(address.advertise("127.0.0.1:41234")).toBe("10.1.2.3:41234");
      expect(address.advertise("0.0.0.0:41234")).toBe("10.1.2.3:41234");
    }
  });

  it("keeps 127.0.0.1 with the local and memory registries", () => {
    for (const registry of ["local", "memory"]) {
      const address = resolve({ registry });
      expect(address.listen).toBe("127.0.0.1:0");
      expect(address.advertise("127.0.0.1:41234")).toBe("127.0.0.1:41234");
    }
  });

  it("keeps the in-process address of the memory transport", () => {
    const address = resolve({ transport: "memory" });
    expect(address.listen).toBe("127.0.0.1:0");
    expect(address.advertise("memory:3")).toBe("memory:3");
  });

  it("registers a NATS transport subject as it is", () => {
    const address = resolve({ transport: "nats" });
    expect(address.advertise("micro.rpc.abc123")).toBe("micro.rpc.abc123");
  });

  it("falls back to 127.0.0.1 on a host without a routable IPv4", () => {
    const address = resolve({}, { lo: [loopback] });
    expect(address.advertise("127.0.0.1:5000")).toBe("127.0.0.1:5000");
  });

  it("lets MICRO_SERVER_ADDRESS and MICRO_SERVER_ADVERTISE override, env over options", () => {
    const env = resolve({
      env: { serverAddress: "0.0.0.0:9090", serverAdvertise: "svc.example:9090" },
      options: { address: "127.0.0.1:1", advertise: "other:1" },
    });
    expect(env.listen).toBe("0.0.0.0:9090");
    expect(env.advertise("127.0.0.1:9090")).toBe("svc.example:9090");

    const options = resolve({ options: { address: "10.9.9.9:7000", advertise: "gw:80" } });
    expect(options.listen).toBe("10.9.9.9:7000");
    expect(options.advertise("10.9.9.9:7000")).toBe("gw:80");
  });

  it("advertises the host IP for an explicit wildcard listen address, keeping its port", () => {
    for (const serverAddress of ["0.0.0.0:9090", "[::]:9090"]) {
      const address = resolve({ env: { serverAddress } });
      expect(address.advertise("127.0.0.1:9090")).toBe("10.1.2.3:9090");
    }
  });

  it("advertises a specific listen host as the listener reports it", () => {
    const address = resolve({ env: { serverAddress: "127.0.0.1:9090" } });
    expect(address.advertise("127.0.0.1:9090")).toBe("127.0.0.1:9090");
  });

  it("advertises a wildcard address with the local registry as loopback", () => {
    const address = resolve({ registry: "local", env: { serverAddress: "0.0.0.0:9090" } });
    expect(address.advertise("127.0.0.1:9090")).toBe("127.0.0.1:9090");
  });
});

describe("advertisingTransport", () => {
  it("reports the advertised address of a real listener and closes it", async () => {
    const memory = createMemoryTransport();
    const wrapped = advertisingTransport(memory, (listening) => `advertised(${listening})`);
    expect(wrapped.name).toBe("memory");
    const router: Router = { route: () => undefined, routes: () => [] };
    const listener = await wrapped.listen({ address: "a:1", router, maxMessageBytes: 1024 });
    expect(listener.address).toBe("advertised(a:1)");
    await listener.close(0);
    // Closed for real: the address is free again.
    const again = await memory.listen({ address: "a:1", router, maxMessageBytes: 1024 });
    await again.close(0);
  });
});

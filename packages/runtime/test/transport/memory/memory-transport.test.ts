import { describe, expect, it } from "vitest";
import { createMemoryTransport } from "../../../src/transport/memory/memory-transport.js";
import { EchoDescriptor } from "../../fixtures/echo-descriptor.js";
import { createEchoRouter } from "./echo-router.js";
import { outbound, rejection, say, transportContract } from "./transport-contract.js";

transportContract("memory", {
  create: createMemoryTransport,
  listenAddress: "127.0.0.1:0",
  unknownMethodCode: 404,
  deadAddress: async () => "memory:999999",
});

describe("memory transport", () => {
  it("keeps listeners per instance: another instance cannot reach them", async () => {
    const one = createMemoryTransport();
    const other = createMemoryTransport();
    const listener = await one.listen({
      address: "127.0.0.1:0",
      router: createEchoRouter().router,
      maxMessageBytes: 1_024,
    });
    const { Say } = EchoDescriptor.methods;
    await expect(
      one.client().unary(listener.address, Say, say({ text: "hi" }), outbound()),
    ).resolves.toMatchObject({
      text: "hi",
    });
    expect(
      (await rejection(other.client().unary(listener.address, Say, say(), outbound()))).code,
    ).toBe(503);
    await listener.close(0);
  });

  it("gives each port-0 listen a distinct address and refuses a taken explicit one", async () => {
    const transport = createMemoryTransport();
    const options = { router: createEchoRouter().router, maxMessageBytes: 1_024 };
    const a = await transport.listen({ ...options, address: "127.0.0.1:0" });
    const b = await transport.listen({ ...options, address: "127.0.0.1:0" });
    expect(a.address).not.toBe(b.address);
    const fixed = await transport.listen({ ...options, address: "svc:9000" });
    expect(fixed.address).toBe("svc:9000");
    await expect(transport.listen({ ...options, address: "svc:9000" })).rejects.toThrow(
      /already in use/,
    );
    await Promise.all([a.close(0), b.close(0), fixed.close(0)]);
    const again = await transport.listen({ ...options, address: "svc:9000" });
    await again.close(0);
  });

  it("rejects a maxMessageBytes that is not a positive integer", async () => {
    const transport = createMemoryTransport();
    await expect(
      transport.listen({ address: "x:0", router: createEchoRouter().router, maxMessageBytes: 0 }),
    ).rejects.toThrow(/maxMessageBytes must be a positive integer, got 0/);
  });
});

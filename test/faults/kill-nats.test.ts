// Fault 1: three greeters on the NATS registry, broker and transport; one client calling
// in a loop; kill -9 one of them mid-load. No call may fail (retries go to the others),
// and the dead node must leave the registry within its TTL.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createClient, createSelector } from "@micro-ts/runtime";
import { createNatsBroker, createNatsRegistry, createNatsTransport } from "@micro-ts/runtime/nats";
import { createGreeterClient } from "../../examples/greeter/gen/greeter/v1/greeter.micro.js";
import {
  type Greeter,
  report,
  runLoad,
  startGreeter,
  startNatsServer,
  waitUntil,
} from "./lib/cluster.js";

const TTL = 3_000;
let nats: Awaited<ReturnType<typeof startNatsServer>>;
const greeters: Greeter[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await Promise.all(greeters.map((g) => g.stop("SIGKILL")));
  await nats.close();
});

it("kill -9 of one of three NATS greeters under load: zero failed calls, gone within the TTL", async () => {
  const env = {
    MICRO_REGISTRY: "nats",
    MICRO_REGISTRY_ADDRESS: nats.address,
    MICRO_BROKER: "nats",
    MICRO_BROKER_ADDRESS: nats.address,
    MICRO_TRANSPORT: "nats",
    MICRO_REGISTER_TTL: `${TTL}ms`,
    MICRO_REGISTER_INTERVAL: "1s",
  };
  greeters.push(...(await Promise.all([1, 2, 3].map(() => startGreeter(env)))));
  const registry = createNatsRegistry({ servers: nats.address });
  const selector = createSelector({ registry });
  const broker = createNatsBroker({ servers: nats.address });
  const client = createClient({
    transport: createNatsTransport({ servers: nats.address }),
    selector,
    broker,
    retries: 3,
  });
  const greeter = createGreeterClient(client, "greeter");
  await waitUntil(
    async () => (await registry.getService("greeter"))[0]?.nodes.length === 3,
    10_000,
  );

  const load = runLoad(
    (onResponseMetadata) => greeter.hello({ name: "Ada" }, { onResponseMetadata }),
    8,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const victim = greeters[0] as Greeter;
  victim.child.kill("SIGKILL");
  await victim.exited;
  const okAtKill = load.result.ok;

  const gone = await waitUntil(
    async () => (await registry.getService("greeter"))[0]?.nodes.length === 2,
    TTL + 3_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await load.stop();

  report("kill -9 on NATS", {
    calls: result.ok + result.failed,
    failed: result.failed,
    callsAfterKill: result.ok - okAtKill,
    servedBy: result.servedBy,
    deadNodeGoneAfterMs: gone,
    ttlMs: TTL,
  });
  expect(result.errors).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.ok - okAtKill).toBeGreaterThan(50);
  expect(gone).toBeLessThanOrEqual(TTL + 1_500);
  await client.close();
  await selector.close();
  await broker.disconnect();
  await registry.close();
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Client,
  type Registry,
  type Selector,
  createClient,
  createHttpTransport,
  createLocalRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { type ApiGateway, type ApiGatewayOptions, createApiGateway } from "@micro-ts/runtime/api";
import { createNatsRegistry } from "@micro-ts/runtime/nats";
import {
  type NatsServer,
  startNatsServer,
} from "../../../packages/runtime/test/nats/nats-server.js";
import { type Running, start } from "../../e2e/lib/process.js";
import { root } from "../../e2e/lib/greeter.js";

/** A service process started by a sandbox. */
export interface ServiceProcess extends Running {
  readonly address: string;
}

/**
 * One isolated deployment: its own registry (a local folder, or a nats-server of its own),
 * the service processes it started, and a gateway in this process on a free port.
 */
export interface GatewaySandbox {
  readonly registry: Registry;
  /** `MICRO_*` variables that point a process at this sandbox's registry. */
  readonly env: Readonly<Record<string, string>>;
  readonly gateway: ApiGateway;
  /** `http://127.0.0.1:<port>` of the gateway. */
  readonly url: string;
  /** Starts the test's library service (test/api/fixture) with extra env. */
  startLibrary(env?: Readonly<Record<string, string>>): Promise<ServiceProcess>;
  /** Starts examples/greeter. */
  startGreeter(env?: Readonly<Record<string, string>>): Promise<ServiceProcess>;
  close(): Promise<void>;
}

/** Which registry the sandbox's services and gateway share. */
export type SandboxRegistry = "local" | "nats";

/** Creates a sandbox; `gatewayOptions` are laid over the registry and a JSON client. */
export async function createGatewaySandbox(
  kind: SandboxRegistry,
  gatewayOptions: Partial<ApiGatewayOptions> = {},
): Promise<GatewaySandbox> {
  let directory: string | undefined;
  let nats: NatsServer | undefined;
  let registry: Registry;
  let env: Record<string, string>;
  if (kind === "local") {
    directory = mkdtempSync(join(tmpdir(), "micro-api-"));
    registry = createLocalRegistry({ directory, pollInterval: 100 });
    env = { MICRO_REGISTRY: "local", MICRO_REGISTRY_ADDRESS: directory };
  } else {
    nats = await startNatsServer();
    registry = createNatsRegistry({ servers: nats.address });
    // A NATS registry would advertise the host's interface address; tests stay on loopback.
    env = {
      MICRO_REGISTRY: "nats",
      MICRO_REGISTRY_ADDRESS: nats.address,
      MICRO_SERVER_ADDRESS: "127.0.0.1:0",
    };
  }
  // The local broker keeps the services off any shared engine.
  env = { ...env, MICRO_BROKER: "local", MICRO_REGISTER_INTERVAL: "1s", MICRO_REGISTER_TTL: "3s" };
  const selector: Selector = createSelector({ registry });
  const client: Client = createClient({
    transport: createHttpTransport({ codec: "json" }),
    selector,
    retries: 1,
  });
  const gateway = createApiGateway({ registry, client, ...gatewayOptions });
  const { address } = await gateway.listen("127.0.0.1:0");
  const processes: Running[] = [];

  const startService = async (script: string, extra: Readonly<Record<string, string>>) => {
    const running = start(process.execPath, ["--conditions=source", "--import", "tsx", script], {
      cwd: root,
      env: { ...env, ...extra },
    });
    processes.push(running);
    const [, at] = await running.waitFor(/ started .*address=(\S+)/);
    return { ...running, address: at as string };
  };

  return {
    registry,
    env,
    gateway,
    url: `http://${address}`,
    startLibrary: (extra = {}) => startService("test/api/fixture/src/main.ts", extra),
    startGreeter: (extra = {}) => startService("examples/greeter/src/main.ts", extra),
    async close() {
      await Promise.all(processes.map((p) => p.stop("SIGKILL")));
      await gateway.close();
      await client.close();
      await selector.close();
      await registry.close();
      await nats?.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true, or fails after `timeout` ms naming `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeout = 10_000,
): Promise<void> {
  const until = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

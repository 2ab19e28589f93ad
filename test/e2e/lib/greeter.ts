import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Client,
  type Registry,
  type Selector,
  createClient,
  createHttpTransport,
  createLocalBroker,
  createLocalRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { type Running, start } from "./process.js";

/** The repository root. */
export const root = fileURLToPath(new URL("../../..", import.meta.url));
/** node_modules/.bin of the root, where buf, tsx and the plugins are. */
export const bin = join(root, "node_modules", ".bin");

/** A greeter process with the address it listens on. */
export interface GreeterProcess extends Running {
  readonly address: string;
  readonly pid: number;
}

/**
 * One isolated "machine": its own local registry folder, so tests running side by side
 * never see each other's services. Everything it starts is stopped by `close()`.
 */
export interface Sandbox {
  readonly registryDirectory: string;
  readonly registry: Registry;
  readonly selector: Selector;
  readonly client: Client;
  /** Starts `examples/greeter` with the sandbox's registry and extra env. */
  startGreeter(env?: Readonly<Record<string, string>>): Promise<GreeterProcess>;
  close(): Promise<void>;
}

/** Creates a sandbox whose client uses the http transport and the local broker. */
export function createSandbox(): Sandbox {
  const registryDirectory = mkdtempSync(join(tmpdir(), "micro-e2e-"));
  const registry = createLocalRegistry({ directory: registryDirectory, pollInterval: 200 });
  const selector = createSelector({ registry });
  const broker = createLocalBroker({ registry });
  const client = createClient({ transport: createHttpTransport(), selector, broker });
  const processes: Running[] = [];
  return {
    registryDirectory,
    registry,
    selector,
    client,
    async startGreeter(env = {}) {
      // node itself, not the tsx wrapper: the pid is the service's and kill -9 reaches it.
      const running = start(
        process.execPath,
        ["--conditions=source", "--import", "tsx", "examples/greeter/src/main.ts"],
        {
          cwd: root,
          env: { MICRO_REGISTRY_ADDRESS: registryDirectory, ...env },
        },
      );
      processes.push(running);
      const [, address] = await running.waitFor(/ started .*address=(\S+)/);
      return { ...running, address: address as string, pid: running.child.pid as number };
    },
    async close() {
      await Promise.all(processes.map((p) => p.stop("SIGKILL")));
      await client.close();
      await broker.disconnect();
      await selector.close();
      await registry.close();
      rmSync(registryDirectory, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./free-port.js";

/** Debian's nats-server; tests start their own instances on free ports. */
export const NATS_SERVER_BIN = "/usr/sbin/nats-server";

/** A nats-server of a test's own, with JetStream, that can be stopped and started again. */
export interface NatsServer {
  readonly port: number;
  /** `127.0.0.1:<port>`, as MICRO_*_ADDRESS takes it. */
  readonly address: string;
  /** Kills the server (SIGKILL: no lame-duck goodbye to clients). */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  close(): Promise<void>;
}

/** Starts nats-server with JetStream on a free port and a temporary store. */
export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), "micro-nats-"));
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    output = "";
    child = spawn(NATS_SERVER_BIN, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port);
    } catch (error) {
      throw new Error(`nats-server did not start on ${port}: ${String(error)}\n${output}`);
    }
  };
  const stop = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, "exit");
    current.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    port,
    address: `127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

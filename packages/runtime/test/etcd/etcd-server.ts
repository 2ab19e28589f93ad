import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "../nats/free-port.js";

/** Debian's etcd (package etcd-server); tests start their own instances on free ports. */
export const ETCD_BIN = "/usr/bin/etcd";

/** An etcd of a test's own that can be stopped and started again on the same data. */
export interface EtcdServer {
  readonly port: number;
  /** `127.0.0.1:<port>`, as MICRO_REGISTRY_ADDRESS takes it. */
  readonly address: string;
  /** Kills it (SIGKILL). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

/** Starts a single-member etcd on free client and peer ports with a temporary data dir. */
export async function startEtcdServer(): Promise<EtcdServer> {
  const [port, peerPort] = [await freePort(), await freePort()];
  const data = mkdtempSync(join(tmpdir(), "micro-etcd-"));
  let child: ChildProcess | undefined;
  let output = "";
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;

  const start = async () => {
    output = "";
    child = spawn(
      ETCD_BIN,
      [
        "--name",
        "micro-test",
        "--data-dir",
        data,
        "--listen-client-urls",
        client,
        "--advertise-client-urls",
        client,
        "--listen-peer-urls",
        peer,
        "--initial-advertise-peer-urls",
        peer,
        "--initial-cluster",
        `micro-test=${peer}`,
        "--log-level",
        "error",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port);
    } catch (error) {
      throw new Error(`etcd did not start on ${port}: ${String(error)}\n${output}`);
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
      rmSync(data, { recursive: true, force: true });
    },
  };
}

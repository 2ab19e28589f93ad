import {
  type EnvConfig,
  MicroError,
  type ServiceNode,
  type TransportClient,
  parseDuration,
} from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { type ParsedArgs, stringFlag } from "./args.js";
import { createCliRegistry, createCliTransport, nodeTransport, readCliConfig } from "./cli-env.js";
import { type CliIo, out, paint } from "./io.js";
import { probeMethod } from "./json-method.js";
import { findService } from "./services-command.js";

/** Default budget of one probe, in ms. */
const DEFAULT_PROBE_TIMEOUT = 2000;

/** Codes that mean the node did not answer: unreachable, too slow, or answering through a broken hop. */
const DOWN_CODES = new Set([408, 502, 503, 504]);

/** One node's health. */
export interface NodeHealth {
  readonly node: ServiceNode;
  readonly healthy: boolean;
  readonly ms: number;
  readonly detail: string;
}

/**
 * `micro health <service>`: a node is healthy when it answers a probe over its own
 * transport within the timeout. The probe calls a method no service implements, so a
 * healthy node answers "not found" without running any handler; a refused connection, a
 * timeout, or a 502/503/504 means down. Exit 0 only when every node is healthy.
 */
export async function healthCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const service = args.positionals[0];
  if (service === undefined) {
    throw new UsageError(
      "micro health: missing the service: micro health <service> (see micro health --help)",
    );
  }
  const timeoutText = stringFlag(args, "timeout");
  let timeout = DEFAULT_PROBE_TIMEOUT;
  if (timeoutText !== undefined) {
    try {
      timeout = parseDuration("--timeout", timeoutText);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const config = readCliConfig(io.env);
  const registry = createCliRegistry(config);
  const transports = new Map<string, Promise<TransportClient>>();
  try {
    const nodes = (await findService(registry, service)).flatMap((record) => record.nodes);
    const results = await Promise.all(
      nodes.map((node) => probe(config, service, node, timeout, transports)),
    );
    for (const result of results) {
      const mark = result.healthy
        ? paint(io, io.stdout, "green", "ok  ")
        : paint(io, io.stdout, "red", "DOWN");
      out(
        io,
        `${mark}  ${result.node.id}  ${result.node.address}  ${result.ms} ms  ${result.detail}`,
      );
    }
    const healthy = results.filter((r) => r.healthy).length;
    out(
      io,
      `${service}: ${healthy}/${results.length} node${results.length === 1 ? "" : "s"} healthy`,
    );
    return healthy === results.length && results.length > 0 ? 0 : 1;
  } finally {
    const clients = await Promise.allSettled(transports.values());
    await Promise.all(clients.map((c) => (c.status === "fulfilled" ? c.value.close() : undefined)));
    await registry.close();
  }
}

async function probe(
  config: EnvConfig,
  service: string,
  node: ServiceNode,
  timeout: number,
  transports: Map<string, Promise<TransportClient>>,
): Promise<NodeHealth> {
  const started = performance.now();
  const result = (healthy: boolean, detail: string): NodeHealth => ({
    node,
    healthy,
    ms: Math.round(performance.now() - started),
    detail,
  });
  let client: TransportClient;
  try {
    const name = nodeTransport(service, node.metadata);
    let pending = transports.get(name);
    if (!pending) {
      // Sync errors (a bad name) become this node's result, not the command's.
      pending = Promise.resolve().then(() => createCliTransport(config, name, "proto").client());
      transports.set(name, pending);
    }
    client = await pending;
  } catch (error) {
    return result(false, (error as Error).message);
  }
  try {
    await client.unary(
      node.address,
      probeMethod,
      {},
      {
        metadata: {},
        deadline: Date.now() + timeout,
        signal: undefined,
      },
    );
    return result(true, "answered");
  } catch (error) {
    const micro = MicroError.from(error, "micro.cli");
    const detail = `${micro.code} ${micro.detail}`;
    return result(
      !DOWN_CODES.has(micro.code),
      DOWN_CODES.has(micro.code) ? detail : `answered (${micro.code})`,
    );
  }
}

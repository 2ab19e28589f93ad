import { randomUUID } from "node:crypto";
import { type EnvConfig, LOCAL_BROKER_SERVICE, type Registry } from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { type ParsedArgs, metadataFlags } from "./args.js";
import { createCliBroker, createCliRegistry, readCliConfig } from "./cli-env.js";
import { type CliIo, out } from "./io.js";
import { parseJson, readAll, requireObject } from "./json-input.js";

/**
 * `micro publish <topic> [json]`: publishes a JSON message on the broker services use,
 * (`MICRO_BROKER`: local or nats) with `content-type: application/json` so subscribers
 * decode it as JSON. Fails when a delivery fails; on the local broker, reports how many
 * subscriptions the topic has (NATS does not tell a publisher).
 */
export async function publishCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [topic, json] = args.positionals;
  if (topic === undefined) {
    throw new UsageError(
      "micro publish: missing the topic: micro publish <topic> [json] (see micro publish --help)",
    );
  }
  const config = readCliConfig(io.env);
  const metadata = metadataFlags("publish", args);
  const body = await messageBody(io, json);
  const registry = createCliRegistry(config);
  const failures: string[] = [];
  const broker = createCliBroker(config, registry, (error) =>
    failures.push(error instanceof Error ? error.message : String(error)),
  );
  try {
    const subscriptions = await localSubscriptions(config, registry, topic);
    await broker.publish(topic, {
      header: {
        ...metadata,
        "content-type": "application/json",
        "micro-topic": topic,
        "micro-id": randomUUID(),
      },
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    if (failures.length > 0)
      throw new UsageError(`publishing to ${topic} failed: ${failures.join("; ")}`);
    out(
      io,
      subscriptions === undefined
        ? `published to ${topic} (on ${config.broker})`
        : `published to ${topic} (${subscriptions} subscription${subscriptions === 1 ? "" : "s"})`,
    );
    return 0;
  } finally {
    await broker.disconnect();
    await registry.close();
  }
}

/** Subscriptions of `topic` on the local broker (they are registered); unknown on others. */
async function localSubscriptions(
  config: EnvConfig,
  registry: Registry,
  topic: string,
): Promise<number | undefined> {
  if ((config.broker ?? "local") !== "local") return undefined;
  return (await registry.getService(LOCAL_BROKER_SERVICE))
    .flatMap((record) => record.nodes)
    .filter((node) => node.metadata["topic"] === topic).length;
}

async function messageBody(io: CliIo, json: string | undefined): Promise<Record<string, unknown>> {
  if (json !== undefined)
    return requireObject(parseJson(json, "the JSON argument"), "the JSON argument");
  if (io.stdin.isTTY === true) return {};
  const text = await readAll(io.stdin);
  return text.trim() === "" ? {} : requireObject(parseJson(text, "stdin"), "stdin");
}

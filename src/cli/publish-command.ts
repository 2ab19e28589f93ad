import { randomUUID } from "node:crypto";
import { LOCAL_BROKER_SERVICE, createLocalBroker } from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { type ParsedArgs, metadataFlags } from "./args.js";
import { createCliRegistry, readCliConfig } from "./cli-env.js";
import { type CliIo, out } from "./io.js";
import { parseJson, readAll, requireObject } from "./json-input.js";

/**
 * `micro publish <topic> [json]`: publishes a JSON message on the broker services use,
 * with `content-type: application/json` so subscribers decode it as JSON. Fails when a
 * delivery fails; reports how many subscriptions the topic has.
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
  const broker = createLocalBroker({
    registry,
    ...(config.brokerAddress === undefined ? {} : { address: config.brokerAddress }),
    ...(config.maxMessageBytes === undefined ? {} : { maxMessageBytes: config.maxMessageBytes }),
    onError: (error) => failures.push(error instanceof Error ? error.message : String(error)),
  });
  try {
    const subscriptions = (await registry.getService(LOCAL_BROKER_SERVICE))
      .flatMap((record) => record.nodes)
      .filter((node) => node.metadata["topic"] === topic).length;
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
      `published to ${topic} (${subscriptions} subscription${subscriptions === 1 ? "" : "s"})`,
    );
    return 0;
  } finally {
    await broker.disconnect();
    await registry.close();
  }
}

async function messageBody(io: CliIo, json: string | undefined): Promise<Record<string, unknown>> {
  if (json !== undefined)
    return requireObject(parseJson(json, "the JSON argument"), "the JSON argument");
  if (io.stdin.isTTY === true) return {};
  const text = await readAll(io.stdin);
  return text.trim() === "" ? {} : requireObject(parseJson(text, "stdin"), "stdin");
}

import {
  type Client,
  type EndpointSchema,
  type ServiceRecord,
  createClient,
  createSelector,
  parseDuration,
} from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { type ParsedArgs, metadataFlags, stringFlag } from "./args.js";
import { createCliRegistry, jsonTransportFor, readCliConfig } from "./cli-env.js";
import { type CliIo, out } from "./io.js";
import { jsonLines, parseJson, readAll, requireObject } from "./json-input.js";
import { jsonMethod } from "./json-method.js";
import { findService } from "./services-command.js";

/**
 * `micro call <service> <Endpoint> [json]`: looks the endpoint up in the registry (path and
 * kind) and calls it in JSON over the transport its nodes use (http or nats, from their
 * registry metadata). Streamed responses print one JSON
 * line each as they arrive; client and bidi streams read one JSON object per stdin line.
 */
export async function callCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [service, endpointName, json] = args.positionals;
  if (service === undefined || endpointName === undefined) {
    throw new UsageError(
      "micro call: missing arguments: micro call <service> <Endpoint> [json] (see micro call --help)",
    );
  }
  const config = readCliConfig(io.env);
  // Bad input fails before anything is looked up.
  const given = json === undefined ? undefined : { value: parseJson(json, "the JSON argument") };
  const timeoutText = stringFlag(args, "timeout");
  const timeout = timeoutText === undefined ? undefined : flagDuration("--timeout", timeoutText);
  const metadata = metadataFlags("call", args);
  const registry = createCliRegistry(config);
  const selector = createSelector({ registry });
  let client: Client | undefined;
  try {
    const records = await findService(registry, service);
    const endpoint = findEndpoint(service, records, endpointName);
    client = createClient({
      transport: jsonTransportFor(config, service, records),
      selector,
      ...(config.clientTimeout === undefined ? {} : { timeout: config.clientTimeout }),
      ...(config.clientRetries === undefined ? {} : { retries: config.clientRetries }),
    });
    const method = jsonMethod(endpoint);
    const options = { metadata, ...(timeout === undefined ? {} : { timeout }) };
    if (endpoint.kind === "unary") {
      const request = await singleRequest(io, given);
      out(io, JSON.stringify(await client.call(service, method, request, options), null, 2));
      return 0;
    }
    const requests =
      endpoint.kind === "server_streaming"
        ? once(await singleRequest(io, given))
        : await manyRequests(io, given);
    for await (const response of client.stream(service, method, requests, options)) {
      out(io, JSON.stringify(response));
    }
    return 0;
  } finally {
    await client?.close();
    await selector.close();
    await registry.close();
  }
}

function flagDuration(flag: string, text: string): number {
  try {
    return parseDuration(flag, text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `Greeter.Hello`, or `Hello` when only one endpoint of the service has that method name. */
function findEndpoint(
  service: string,
  records: readonly ServiceRecord[],
  name: string,
): EndpointSchema {
  const endpoints = new Map(records.flatMap((r) => r.endpoints).map((e) => [e.name, e] as const));
  const exact = endpoints.get(name);
  if (exact) return exact;
  const bySuffix = [...endpoints.values()].filter((e) => e.name.split(".").pop() === name);
  if (bySuffix.length === 1) return bySuffix[0] as EndpointSchema;
  const known = [...endpoints.keys()].sort();
  throw new UsageError(
    `endpoint ${JSON.stringify(name)} not found (404) on service ${JSON.stringify(service)}; ` +
      (known.length === 0 ? "it registered no endpoints" : `its endpoints: ${known.join(", ")}`),
  );
}

/** The request from the argument, else stdin (when piped), else `{}`. */
async function singleRequest(
  io: CliIo,
  given: { value: unknown } | undefined,
): Promise<Record<string, unknown>> {
  if (given !== undefined) return requireObject(given.value, "the JSON argument");
  if (io.stdin.isTTY === true) return {};
  const text = await readAll(io.stdin);
  return text.trim() === "" ? {} : requireObject(parseJson(text, "stdin"), "stdin");
}

/** A client stream: a JSON array (or one object) argument, else JSON lines from stdin. */
async function manyRequests(
  io: CliIo,
  given: { value: unknown } | undefined,
): Promise<AsyncIterable<unknown>> {
  if (given === undefined) return io.stdin.isTTY === true ? once({}) : jsonLines(io.stdin);
  const value = given.value;
  const list = Array.isArray(value) ? value : [value];
  return fromList(
    list.map((item, i) => requireObject(item, `message ${i + 1} of the JSON argument`)),
  );
}

async function* once(value: unknown): AsyncGenerator<unknown> {
  yield value;
}

async function* fromList(values: readonly unknown[]): AsyncGenerator<unknown> {
  yield* values;
}

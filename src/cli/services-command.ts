import type { Registry, ServiceRecord } from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { type ParsedArgs } from "./args.js";
import { createCliRegistry, readCliConfig } from "./cli-env.js";
import { type CliIo, out, paint } from "./io.js";

/** `micro services [name] [--json]`: what is registered, with nodes and endpoints. */
export async function servicesCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const registry = createCliRegistry(readCliConfig(io.env));
  try {
    const name = args.positionals[0];
    const records =
      name === undefined ? await registry.listServices() : await findService(registry, name);
    const sorted = [...records].sort(
      (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
    );
    if (args.values["json"] === true) {
      out(io, JSON.stringify(sorted, null, 2));
      return 0;
    }
    if (sorted.length === 0) {
      out(io, "no services registered");
      return 0;
    }
    for (const record of sorted) printRecord(io, record);
    return 0;
  } finally {
    await registry.close();
  }
}

function printRecord(io: CliIo, record: ServiceRecord): void {
  const s = (style: Parameters<typeof paint>[2], text: string) => paint(io, io.stdout, style, text);
  out(io, `${s("bold", record.name)} ${s("dim", record.version)}`);
  out(io, `  nodes (${record.nodes.length}):`);
  for (const node of record.nodes) {
    out(io, `    ${node.id}  ${s("cyan", node.address)}  ${node.metadata["transport"] ?? "?"}`);
  }
  if (record.endpoints.length > 0) {
    out(io, `  endpoints (${record.endpoints.length}):`);
    const width = Math.max(...record.endpoints.map((e) => e.name.length));
    for (const endpoint of record.endpoints) {
      const http = endpoint.http.map((rule) => `${rule.method} ${rule.path}`).join(", ");
      out(
        io,
        `    ${s("green", endpoint.name.padEnd(width))}  ${endpoint.kind.padEnd(16)}  ${endpoint.path}${http ? `  ${s("dim", http)}` : ""}`,
      );
    }
  }
}

/** The records of `name`; a UsageError listing the known services when there are none. */
export async function findService(registry: Registry, name: string): Promise<ServiceRecord[]> {
  const records = await registry.getService(name);
  if (records.length > 0) return records;
  const known = [...new Set((await registry.listServices()).map((r) => r.name))].sort();
  throw new UsageError(
    `service ${JSON.stringify(name)} not found (404) in the registry; ` +
      (known.length === 0 ? "no services are registered" : `known services: ${known.join(", ")}`),
  );
}

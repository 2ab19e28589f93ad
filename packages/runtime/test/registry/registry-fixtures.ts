// Helpers every registry contract test uses: the memory and local registries' here, and
// the NATS and etcd registries' (test/nats/registry-contract.ts).
import type { RegistryEvent, RegistryWatcher, ServiceRecord } from "../../src/registry/registry.js";

/** A service record with one http node per id (addresses derived from the ids). */
export function service(
  name: string,
  nodeIds: string[],
  extra: Partial<Pick<ServiceRecord, "version" | "metadata" | "endpoints">> = {},
): ServiceRecord {
  return {
    name,
    version: extra.version ?? "1.0.0",
    metadata: extra.metadata ?? {},
    endpoints: extra.endpoints ?? [],
    nodes: nodeIds.map((id) => ({
      id,
      address: `127.0.0.1:${1000 + id.length}`,
      metadata: { transport: "http" },
    })),
  };
}

/** Collects a watcher's events into an array that fills as they arrive. */
export function collect(watcher: RegistryWatcher): RegistryEvent[] {
  const events: RegistryEvent[] = [];
  void (async () => {
    for await (const event of watcher) events.push(event);
  })();
  return events;
}

/** Events as `type:service:node,node` strings, easy to compare. */
export const summary = (events: RegistryEvent[]) =>
  events.map(
    (event) =>
      `${event.type}:${event.service.name}:${event.service.nodes.map((n) => n.id).join(",")}`,
  );

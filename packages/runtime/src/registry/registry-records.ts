import { MicroError } from "../errors/micro-error.js";
import type { RegistryEvent, ServiceNode, ServiceRecord } from "./registry.js";

/** go-micro's register TTL: a node silent for 90 s is forgotten (it re-registers every 30 s). */
export const DEFAULT_REGISTER_TTL = 90_000;

/**
 * One node as a registry stores it. Records are rebuilt from these, so merging nodes of
 * one name+version and taking endpoints/metadata from the latest registration is one rule.
 */
export interface NodeEntry {
  readonly name: string;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly endpoints: ServiceRecord["endpoints"];
  readonly node: ServiceNode;
  /** Epoch ms of the registration that wrote this entry. */
  readonly registeredAt: number;
  /** Epoch ms after which the entry is ignored. */
  readonly expiresAt: number;
}

/** The key of one service record: name and version. */
export function recordKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}

/**
 * Groups entries into records: nodes merge per name+version (sorted by id, so equal
 * states compare equal), endpoints and metadata come from the latest registration.
 */
export function buildRecords(entries: Iterable<NodeEntry>): Map<string, ServiceRecord> {
  const groups = new Map<string, NodeEntry[]>();
  for (const entry of entries) {
    const key = recordKey(entry.name, entry.version);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  const records = new Map<string, ServiceRecord>();
  for (const [key, group] of groups) {
    let latest = group[0] as NodeEntry;
    for (const entry of group) if (entry.registeredAt >= latest.registeredAt) latest = entry;
    const nodes = group
      .map((entry) => entry.node)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    records.set(key, {
      name: latest.name,
      version: latest.version,
      metadata: latest.metadata,
      endpoints: latest.endpoints,
      nodes,
    });
  }
  return records;
}

/**
 * Events that turn `before` into `after`. Every event carries the whole record as it now
 * is (`delete`: as it last was), so a watcher can replace its copy instead of patching it.
 */
export function diffRecords(
  before: ReadonlyMap<string, ServiceRecord>,
  after: ReadonlyMap<string, ServiceRecord>,
): RegistryEvent[] {
  const events: RegistryEvent[] = [];
  for (const [key, record] of after) {
    const previous = before.get(key);
    if (!previous) events.push({ type: "create", service: record });
    else if (JSON.stringify(previous) !== JSON.stringify(record)) {
      events.push({ type: "update", service: record });
    }
  }
  for (const [key, record] of before) {
    if (!after.has(key)) events.push({ type: "delete", service: record });
  }
  return events;
}

/** Records of one service name, every version. */
export function recordsNamed(
  records: ReadonlyMap<string, ServiceRecord>,
  name: string,
): ServiceRecord[] {
  return [...records.values()].filter((record) => record.name === name);
}

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((item) => typeof item === "string");
}

/**
 * Checks a record given to `register`/`deregister` and copies it, so later changes by the
 * caller cannot reach the registry's state. Throws a 400 naming the bad field.
 */
export function validateServiceRecord(
  registry: string,
  service: ServiceRecord,
  requireNodes: boolean,
): ServiceRecord {
  const id = `micro.registry.${registry}`;
  const bad = (detail: string) => new MicroError(id, 400, `${registry} registry: ${detail}`);
  if (typeof service !== "object" || service === null) throw bad("service must be an object");
  if (typeof service.name !== "string" || service.name.length === 0) {
    throw bad("service.name must be a non-empty string");
  }
  const where = `service ${JSON.stringify(service.name)}`;
  if (typeof service.version !== "string") throw bad(`${where}: version must be a string`);
  if (service.metadata !== undefined && !isStringMap(service.metadata)) {
    throw bad(`${where}: metadata must map strings to strings`);
  }
  if (service.endpoints !== undefined && !Array.isArray(service.endpoints)) {
    throw bad(`${where}: endpoints must be an array`);
  }
  if (!Array.isArray(service.nodes)) throw bad(`${where}: nodes must be an array`);
  if (requireNodes && service.nodes.length === 0) throw bad(`${where}: needs at least one node`);
  const nodes = service.nodes.map((node, index) => {
    if (typeof node?.id !== "string" || node.id.length === 0) {
      throw bad(`${where}: nodes[${index}].id must be a non-empty string`);
    }
    if (typeof node.address !== "string") {
      throw bad(`${where}: node ${node.id}: address must be a string`);
    }
    if (node.metadata !== undefined && !isStringMap(node.metadata)) {
      throw bad(`${where}: node ${node.id}: metadata must map strings to strings`);
    }
    return { id: node.id, address: node.address, metadata: { ...node.metadata } };
  });
  return freezeDeep({
    name: service.name,
    version: service.version,
    metadata: { ...service.metadata },
    endpoints: structuredClone(service.endpoints ?? []),
    nodes,
  });
}

/** Freezes a parsed or copied value, so records can be shared with every reader safely. */
export function freezeDeep<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) freezeDeep(item);
  }
  return value;
}

/** The TTL of a registration: the option, else the registry's default; must be positive. */
export function resolveTtl(registry: string, ttl: number | undefined, fallback: number): number {
  const value = ttl ?? fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new MicroError(
      `micro.registry.${registry}`,
      400,
      `${registry} registry: ttl must be a positive number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}

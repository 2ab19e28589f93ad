import { MicroError } from "../errors/micro-error.js";
import {
  DEFAULT_REGISTER_TTL,
  type NodeEntry,
  buildRecords,
  diffRecords,
  recordsNamed,
  resolveTtl,
  validateServiceRecord,
} from "./registry-records.js";
import type { Registry, RegisterOptions, ServiceRecord } from "./registry.js";
import { type WatcherFeed, createWatcherFeed } from "./registry-watcher.js";

/** Settings of the in-process registry. */
export interface MemoryRegistryOptions {
  /**
   * TTL in milliseconds for a `register` call that gives none. Default 90 000, go-micro's:
   * a server re-registers every 30 s, so a node is forgotten after three missed beats.
   */
  readonly ttl?: number;
}

/**
 * A registry inside one process: for tests, and for services that only call each other
 * within one process. Expired nodes vanish on the next read, and watchers are told at
 * the moment the earliest node expires (a timer, not a poll).
 */
export function createMemoryRegistry(options: MemoryRegistryOptions = {}): Registry {
  const defaultTtl = resolveTtl("memory", options.ttl, DEFAULT_REGISTER_TTL);
  const entries = new Map<string, NodeEntry>();
  const watchers = new Set<WatcherFeed>();
  let records = new Map<string, ServiceRecord>();
  let expiryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const entryKey = (name: string, version: string, nodeId: string) =>
    JSON.stringify([name, version, nodeId]);

  const ensureOpen = (): void => {
    if (closed) throw new MicroError("micro.registry.memory", 503, "memory registry is closed");
  };

  /** Drops expired nodes, rebuilds the records, tells watchers what changed. */
  const commit = (): void => {
    const now = Date.now();
    let nextExpiry = Infinity;
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= now) entries.delete(key);
      else nextExpiry = Math.min(nextExpiry, entry.expiresAt);
    }
    const next = buildRecords(entries.values());
    const events = diffRecords(records, next);
    records = next;
    for (const event of events) for (const watcher of watchers) watcher.push(event);
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    if (nextExpiry !== Infinity) {
      expiryTimer = setTimeout(commit, Math.max(0, nextExpiry - now) + 1);
      expiryTimer.unref();
    }
  };

  return {
    name: "memory",

    async register(service: ServiceRecord, registerOptions?: RegisterOptions) {
      ensureOpen();
      const record = validateServiceRecord("memory", service, true);
      const ttl = resolveTtl("memory", registerOptions?.ttl, defaultTtl);
      const registeredAt = Date.now();
      for (const node of record.nodes) {
        entries.set(entryKey(record.name, record.version, node.id), {
          name: record.name,
          version: record.version,
          metadata: record.metadata,
          endpoints: record.endpoints,
          node,
          registeredAt,
          expiresAt: registeredAt + ttl,
        });
      }
      commit();
    },

    async deregister(service: ServiceRecord) {
      ensureOpen();
      const record = validateServiceRecord("memory", service, false);
      for (const node of record.nodes)
        entries.delete(entryKey(record.name, record.version, node.id));
      commit();
    },

    async getService(name: string) {
      ensureOpen();
      commit();
      return recordsNamed(records, name);
    },

    async listServices() {
      ensureOpen();
      commit();
      return [...records.values()];
    },

    watch(watchOptions?: { service?: string }) {
      ensureOpen();
      const watcher = createWatcherFeed(watchOptions?.service, () => watchers.delete(watcher));
      watchers.add(watcher);
      return watcher;
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(expiryTimer);
      for (const watcher of [...watchers]) watcher.stop();
      entries.clear();
    },
  };
}

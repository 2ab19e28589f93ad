import { type KV, type KvWatchEntry, Kvm } from "@nats-io/kv";
import type { NatsConnection, QueuedIterator } from "@nats-io/transport-node";
import { MicroError, serviceUnavailable } from "../errors/micro-error.js";
import {
  DEFAULT_REGISTER_TTL,
  type NodeEntry,
  buildRecords,
  diffRecords,
  freezeDeep,
  recordsNamed,
  resolveTtl,
  validateServiceRecord,
} from "../registry/registry-records.js";
import type { Registry, RegisterOptions, ServiceRecord } from "../registry/registry.js";
import { type WatcherFeed, createWatcherFeed } from "../registry/registry-watcher.js";
import { type NatsConnectionOptions, connectNats, errorText } from "./nats-connection.js";

/** Settings of the NATS registry. */
export interface NatsRegistryOptions extends NatsConnectionOptions {
  /** JetStream KV bucket shared by every service of one deployment. Default `micro-registry`. */
  readonly bucket?: string;
  /** TTL in ms for a `register` call that gives none. Default 90 000 (go-micro's). */
  readonly ttl?: number;
  /**
   * Age in ms after which the NATS server itself drops an entry (the bucket's max age),
   * so entries of dead nodes never pile up. Default 3 600 000; a TTL above it is rejected.
   * Used only when this registry creates the bucket.
   */
  readonly maxTtl?: number;
  /** Copies of the bucket in a NATS cluster (1, 3 or 5). Default 1; use 3 in production. */
  readonly replicas?: number;
  /** Client name shown by the NATS server's monitoring. Default `micro-registry`. */
  readonly name?: string;
}

const ID = "micro.registry.nats";

/** What one KV entry holds: a node of a service and the TTL it was registered with. */
interface StoredNode {
  readonly name: string;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly endpoints: ServiceRecord["endpoints"];
  readonly node: NodeEntry["node"];
  readonly ttl: number;
}

/** A KV key token from any string: `x` plus base64url, so it is never empty and never a wildcard. */
const token = (value: string) => `x${Buffer.from(value).toString("base64url")}`;
const nodeKey = (name: string, version: string, nodeId: string) =>
  `${token(name)}.${token(version)}.${token(nodeId)}`;

/**
 * A registry in a NATS JetStream KV bucket: one key per node, written on every heartbeat.
 * Each process mirrors the bucket through one KV watch, so lookups are map reads and
 * watchers hear of changes as they happen. A node expires at the server timestamp of its
 * last write plus its TTL, judged by every reader on its own (no central process); the
 * bucket's max age removes the dead entries from the server later. Works with NATS 2.9+.
 *
 * While the connection is down, lookups fail with a 503 (clients keep serving their
 * cache) and nothing expires, since refreshes cannot be seen.
 */
export function createNatsRegistry(options: NatsRegistryOptions = {}): Registry {
  const bucket = options.bucket ?? "micro-registry";
  if (!/^[-\w]+$/.test(bucket)) {
    throw new MicroError(
      ID,
      400,
      `nats registry: bucket ${JSON.stringify(bucket)} must match [-A-Za-z0-9_]+`,
    );
  }
  const defaultTtl = resolveTtl("nats", options.ttl, DEFAULT_REGISTER_TTL);
  const maxTtl = resolveTtl("nats", options.maxTtl, 3_600_000);
  const entries = new Map<string, NodeEntry>();
  const watchers = new Set<WatcherFeed>();
  let records = new Map<string, ServiceRecord>();
  let expiryTimer: NodeJS.Timeout | undefined;
  let starting: Promise<{ nc: NatsConnection; kv: KV }> | undefined;
  let watch: QueuedIterator<KvWatchEntry> | undefined;
  let connected = false;
  let closed = false;

  /** Drops expired nodes (only while connected), rebuilds records, tells watchers. */
  const commit = (): void => {
    const now = Date.now();
    let nextExpiry = Infinity;
    for (const [key, entry] of entries) {
      if (connected && entry.expiresAt <= now) entries.delete(key);
      else nextExpiry = Math.min(nextExpiry, entry.expiresAt);
    }
    const next = buildRecords(entries.values());
    const events = diffRecords(records, next);
    records = next;
    for (const event of events) for (const watcher of watchers) watcher.push(event);
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    if (connected && nextExpiry !== Infinity) {
      expiryTimer = setTimeout(commit, Math.max(0, nextExpiry - now) + 1);
      expiryTimer.unref();
    }
  };

  const apply = (entry: KvWatchEntry): void => {
    if (entry.operation !== "PUT") {
      entries.delete(entry.key);
      return;
    }
    try {
      const stored = freezeDeep(JSON.parse(entry.string()) as StoredNode);
      const registeredAt = entry.created.getTime();
      entries.set(entry.key, {
        name: stored.name,
        version: stored.version,
        metadata: stored.metadata,
        endpoints: stored.endpoints,
        node: stored.node,
        registeredAt,
        expiresAt: registeredAt + stored.ttl,
      });
    } catch (error) {
      console.error(
        `micro nats registry: ignoring malformed entry ${entry.key}:`,
        errorText(error),
      );
    }
  };

  const follow = async (nc: NatsConnection): Promise<void> => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") {
        connected = false;
        commit();
      } else if (status.type === "reconnect") {
        connected = true;
        commit();
      }
    }
  };

  /** Opens the bucket, creating it with this registry's settings when it does not exist yet. */
  const openBucket = async (kvm: Kvm): Promise<KV> => {
    try {
      const existing = await kvm.open(bucket);
      await existing.status();
      return existing;
    } catch {
      return kvm.create(bucket, { history: 1, ttl: maxTtl, replicas: options.replicas ?? 1 });
    }
  };

  const open = async (): Promise<{ nc: NatsConnection; kv: KV }> => {
    const nc =
      options.connection ?? (await connectNats(ID, options.name ?? "micro-registry", options));
    try {
      const kvm = new Kvm(nc);
      const kv = await openBucket(kvm);
      const initial = (await kv.status()).values;
      let ready!: () => void;
      const loaded = new Promise<void>((resolve) => (ready = resolve));
      watch = await kv.watch({ key: ">" });
      connected = true;
      void follow(nc);
      if (initial === 0) ready();
      // The watch marks the last entry of the initial snapshot as the first "update".
      const safety = setTimeout(ready, 2_000);
      void (async () => {
        for await (const entry of watch as QueuedIterator<KvWatchEntry>) {
          apply(entry);
          if (entry.isUpdate) {
            ready();
            commit();
          }
        }
      })();
      await loaded;
      clearTimeout(safety);
      commit();
      return { nc, kv };
    } catch (error) {
      if (!options.connection) await nc.close().catch(() => undefined);
      throw serviceUnavailable(
        ID,
        `nats registry: cannot open KV bucket ${bucket}: ${errorText(error)}`,
      );
    }
  };

  const ready = async (): Promise<{ nc: NatsConnection; kv: KV }> => {
    if (closed) throw serviceUnavailable(ID, "nats registry is closed");
    starting ??= open().catch((error: unknown) => {
      starting = undefined;
      throw error;
    });
    return starting;
  };

  const readable = async (): Promise<void> => {
    const { nc } = await ready();
    if (!connected) {
      throw serviceUnavailable(
        ID,
        `nats registry: disconnected from ${nc.getServer()}; reconnecting`,
      );
    }
  };

  return {
    name: "nats",

    async register(service: ServiceRecord, registerOptions?: RegisterOptions) {
      const record = validateServiceRecord("nats", service, true);
      const ttl = resolveTtl("nats", registerOptions?.ttl, defaultTtl);
      if (ttl > maxTtl) {
        throw new MicroError(
          ID,
          400,
          `nats registry: ttl ${ttl} ms exceeds the bucket's max age ${maxTtl} ms; raise maxTtl`,
        );
      }
      const { kv } = await ready();
      const now = Date.now();
      for (const node of record.nodes) {
        const stored: StoredNode = {
          name: record.name,
          version: record.version,
          metadata: record.metadata,
          endpoints: record.endpoints,
          node,
          ttl,
        };
        const key = nodeKey(record.name, record.version, node.id);
        try {
          await kv.put(key, JSON.stringify(stored));
        } catch (error) {
          throw serviceUnavailable(
            ID,
            `nats registry: cannot register ${record.name} node ${node.id}: ${errorText(error)}`,
          );
        }
        // Read your own write now; the watch confirms it with the server's timestamp.
        entries.set(key, { ...stored, registeredAt: now, expiresAt: now + ttl });
      }
      commit();
    },

    async deregister(service: ServiceRecord) {
      const record = validateServiceRecord("nats", service, false);
      const { kv } = await ready();
      for (const node of record.nodes) {
        const key = nodeKey(record.name, record.version, node.id);
        try {
          await kv.delete(key);
        } catch (error) {
          throw serviceUnavailable(
            ID,
            `nats registry: cannot deregister ${record.name} node ${node.id}: ${errorText(error)}`,
          );
        }
        entries.delete(key);
      }
      commit();
    },

    async getService(name: string) {
      await readable();
      commit();
      return recordsNamed(records, name);
    },

    async listServices() {
      await readable();
      commit();
      return [...records.values()];
    },

    watch(watchOptions?: { service?: string }) {
      if (closed) throw serviceUnavailable(ID, "nats registry is closed");
      const watcher = createWatcherFeed(watchOptions?.service, () => watchers.delete(watcher));
      watchers.add(watcher);
      // Watching starts the mirror, so events flow without a lookup first.
      ready().catch(() => undefined);
      return watcher;
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(expiryTimer);
      for (const watcher of [...watchers]) watcher.stop();
      watch?.stop();
      const current = await starting?.catch(() => undefined);
      if (current && !options.connection) await current.nc.close().catch(() => undefined);
      entries.clear();
    },
  };
}

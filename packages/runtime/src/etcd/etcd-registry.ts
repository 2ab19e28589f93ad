import { Etcd3, type IKeyValue, type Lease, type Watcher } from "etcd3";
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
import type {
  Registry,
  RegisterOptions,
  RegistryWatcher,
  ServiceRecord,
} from "../registry/registry.js";
import { createWatcherFeed } from "../registry/registry-watcher.js";

/** Settings of the etcd registry. */
export interface EtcdRegistryOptions {
  /**
   * Comma-separated `host:port` or `http(s)://host:port` of the etcd cluster's members.
   * Default `127.0.0.1:2379`. `MICRO_REGISTRY_ADDRESS` is passed here.
   */
  readonly hosts?: string;
  /** Key prefix shared by one deployment. Default `/micro/registry`. */
  readonly prefix?: string;
  /** TTL in ms for a `register` call that gives none (rounded up to whole seconds). Default 90 000. */
  readonly ttl?: number;
  /**
   * Milliseconds a `register` keeps retrying while etcd cannot be reached, before it fails
   * with a message naming the hosts. Default 5 000: a service started against a wrong
   * address stops quickly, one started during a short outage registers when etcd is back.
   */
  readonly connectTimeout?: number;
  /** Deadline of one etcd request in ms. Default 2 000. */
  readonly requestTimeout?: number;
  /** Told when watching fails and is retried; default a line on stderr. */
  readonly onWatchError?: (error: unknown) => void;
}

const ID = "micro.registry.etcd";

/** What one key holds: a node of a service, as registered. */
interface StoredNode {
  readonly name: string;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly endpoints: ServiceRecord["endpoints"];
  readonly node: NodeEntry["node"];
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A registry on etcd: one key per node, attached to a lease whose TTL is the register TTL.
 * The server's periodic re-registration keeps the lease alive (a keep-alive, plus a put
 * only when the node's record changed), so a node that dies silently is removed by etcd
 * itself when its lease runs out. Watchers follow a key-prefix watch that resumes from
 * its last revision after a reconnect.
 */
export function createEtcdRegistry(options: EtcdRegistryOptions = {}): Registry {
  const hostsText = options.hosts ?? "127.0.0.1:2379";
  const hosts = hostsText.split(",").map((host) => host.trim());
  if (hosts.some((host) => host === "")) {
    throw new MicroError(
      ID,
      400,
      `etcd registry: hosts must be "host:port" entries separated by commas, got ${JSON.stringify(hostsText)}`,
    );
  }
  const prefix = (options.prefix ?? "/micro/registry").replace(/\/+$/, "");
  const defaultTtl = resolveTtl("etcd", options.ttl, DEFAULT_REGISTER_TTL);
  const connectTimeout = resolveTtl("etcd", options.connectTimeout, 5_000);
  const requestTimeout = resolveTtl("etcd", options.requestTimeout, 2_000);
  const onWatchError =
    options.onWatchError ??
    ((error: unknown) =>
      console.error("micro etcd registry: watch failed; retrying:", errorText(error)));
  const client = new Etcd3({
    hosts: hosts.map((host) => (/^https?:\/\//.test(host) ? host : `http://${host}`)),
    dialTimeout: requestTimeout,
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + requestTimeout },
  });
  /** Per node key: its lease and the value last written under it. */
  const leases = new Map<string, { lease: Lease; value: string; ttl: number }>();
  const stops = new Set<() => void>();
  let closed = false;

  const servicePrefix = (name: string) => `${prefix}/${encodeURIComponent(name)}/`;
  const nodeKey = (name: string, version: string, nodeId: string) =>
    `${servicePrefix(name)}${encodeURIComponent(version)}/${encodeURIComponent(nodeId)}`;

  const ensureOpen = () => {
    if (closed) throw serviceUnavailable(ID, "etcd registry is closed");
  };
  const unavailable = (what: string, error: unknown) =>
    serviceUnavailable(ID, `etcd registry: ${what} at ${hostsText} failed: ${errorText(error)}`);

  const toEntry = (kv: IKeyValue): NodeEntry | undefined => {
    try {
      const stored = freezeDeep(JSON.parse(kv.value.toString()) as StoredNode);
      return { ...stored, registeredAt: Number(kv.mod_revision), expiresAt: Infinity };
    } catch {
      return undefined;
    }
  };

  /** Reads every node under `keyPrefix`, with the revision of the read. */
  const snapshot = async (keyPrefix: string) => {
    const response = await client.getAll().prefix(keyPrefix).exec();
    const entries = new Map<string, NodeEntry>();
    for (const kv of response.kvs) {
      const entry = toEntry(kv);
      if (entry) entries.set(kv.key.toString(), entry);
    }
    return { entries, revision: response.header.revision };
  };

  /** Keeps the lease of one node alive, or writes the node under a new lease if it lapsed. */
  const refresh = async (key: string, value: string, ttl: number): Promise<void> => {
    const seconds = Math.max(1, Math.ceil(ttl / 1000));
    const held = leases.get(key);
    if (held && held.ttl === ttl && !held.lease.revoked()) {
      const alive = await held.lease.keepaliveOnce().then(
        (response) => Number(response.TTL) > 0,
        (error: unknown) => {
          if (/lease.*not found|LeaseNotFound|requested lease not found/i.test(errorText(error)))
            return false;
          throw error;
        },
      );
      if (alive) {
        if (held.value !== value) {
          await held.lease.put(key).value(value);
          held.value = value;
        }
        return;
      }
    }
    held?.lease.release();
    const lease = client.lease(seconds, { autoKeepAlive: false });
    lease.on("lost", () => undefined);
    await lease.grant();
    await lease.put(key).value(value);
    leases.set(key, { lease, value, ttl });
  };

  /** Retries `attempt` until it succeeds or `connectTimeout` passes. */
  const retrying = async (what: string, attempt: () => Promise<void>): Promise<void> => {
    const deadline = Date.now() + connectTimeout;
    for (let tries = 0; ; tries++) {
      ensureOpen();
      try {
        return await attempt();
      } catch (error) {
        if (Date.now() + 100 >= deadline) {
          throw serviceUnavailable(
            ID,
            `etcd registry: cannot ${what} at ${hostsText} within ${connectTimeout} ms ` +
              `(${errorText(error)}); start etcd there or point MICRO_REGISTRY_ADDRESS at a running one`,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** tries, 1_000)));
    }
  };

  return {
    name: "etcd",

    async register(service: ServiceRecord, registerOptions?: RegisterOptions) {
      ensureOpen();
      const record = validateServiceRecord("etcd", service, true);
      const ttl = resolveTtl("etcd", registerOptions?.ttl, defaultTtl);
      for (const node of record.nodes) {
        const stored: StoredNode = {
          name: record.name,
          version: record.version,
          metadata: record.metadata,
          endpoints: record.endpoints,
          node,
        };
        const key = nodeKey(record.name, record.version, node.id);
        await retrying(`register ${record.name} node ${node.id}`, () =>
          refresh(key, JSON.stringify(stored), ttl),
        );
      }
    },

    async deregister(service: ServiceRecord) {
      ensureOpen();
      const record = validateServiceRecord("etcd", service, false);
      for (const node of record.nodes) {
        const key = nodeKey(record.name, record.version, node.id);
        try {
          await client.delete().key(key).exec();
        } catch (error) {
          throw unavailable(`deregistering ${record.name} node ${node.id}`, error);
        }
        const held = leases.get(key);
        leases.delete(key);
        if (held) await held.lease.revoke().catch(() => held.lease.release());
      }
    },

    async getService(name: string) {
      ensureOpen();
      try {
        return recordsNamed(
          buildRecords((await snapshot(servicePrefix(name))).entries.values()),
          name,
        );
      } catch (error) {
        throw unavailable(`looking up ${name}`, error);
      }
    },

    async listServices() {
      ensureOpen();
      try {
        return [...buildRecords((await snapshot(`${prefix}/`)).entries.values()).values()];
      } catch (error) {
        throw unavailable("listing services", error);
      }
    },

    watch(watchOptions?: { service?: string }): RegistryWatcher {
      ensureOpen();
      const keyPrefix =
        watchOptions?.service === undefined ? `${prefix}/` : servicePrefix(watchOptions.service);
      let stopped = false;
      let current: Watcher | undefined;
      let entries = new Map<string, NodeEntry>();
      let records = new Map<string, ServiceRecord>();
      const feed = createWatcherFeed(watchOptions?.service, () => {
        stopped = true;
        stops.delete(stop);
        void current?.cancel().catch(() => undefined);
      });
      const stop = () => feed.stop();
      stops.add(stop);

      const publish = () => {
        const next = buildRecords(entries.values());
        for (const event of diffRecords(records, next)) feed.push(event);
        records = next;
      };

      /** Snapshot, then watch from the next revision; on a failed watch, start over. */
      const run = async (): Promise<void> => {
        for (let tries = 0; !stopped; tries++) {
          try {
            const taken = await snapshot(keyPrefix);
            if (stopped) return;
            entries = taken.entries;
            publish();
            const watcher = await client
              .watch()
              .prefix(keyPrefix)
              .startRevision(String(Number(taken.revision) + 1))
              .create();
            if (stopped) {
              await watcher.cancel();
              return;
            }
            current = watcher;
            tries = 0;
            watcher.on("put", (kv) => {
              const entry = toEntry(kv);
              if (entry) entries.set(kv.key.toString(), entry);
              publish();
            });
            watcher.on("delete", (kv) => {
              entries.delete(kv.key.toString());
              publish();
            });
            await new Promise<void>((resolve) => {
              watcher.on("error", (error) => {
                onWatchError(error);
                resolve();
              });
              watcher.on("end", () => resolve());
            });
            await watcher.cancel().catch(() => undefined);
          } catch (error) {
            if (stopped) return;
            if (tries === 0) onWatchError(error);
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** tries, 2_000)));
        }
      };
      void run();
      return feed;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const stop of [...stops]) stop();
      for (const { lease } of leases.values()) lease.release();
      leases.clear();
      client.close();
    },
  };
}

import { type Logger, createConsoleLogger } from "../logger/logger.js";
import type { Registry, RegistryWatcher, ServiceRecord } from "../registry/registry.js";

/** Settings of a watched service cache. */
export interface ServiceCacheOptions {
  readonly registry: Registry;
  /**
   * Milliseconds a looked-up service is served from memory before it is read again, a
   * safety net should a watch event be missed. Default 60 000, go-micro's cache TTL.
   */
  readonly ttl?: number;
  /**
   * Milliseconds between registry reads while the registry is unreachable and stale
   * records are served instead. Default 1 000.
   */
  readonly retryInterval?: number;
  /** Told when the cache starts and stops serving stale records. Default: console, `selector`. */
  readonly logger?: Logger;
}

/**
 * Service records kept fresh by one `registry.watch()`, so a lookup per call costs a map
 * read, not a registry read. The first lookup of a name reads the registry. When the
 * registry cannot be read, the last known records are served (stale but usable, say the
 * logs) so calls to known services go on through a registry outage.
 */
export interface ServiceCache {
  /**
   * Every version of `name` with nodes; empty when the registry does not know it. The
   * answer is the same array for as long as the service does not change.
   */
  get(name: string): Promise<readonly ServiceRecord[]>;
  /** What `get` would answer at once from memory, or undefined when it would read the registry. */
  cached(name: string): readonly ServiceRecord[] | undefined;
  /** Stops the watch and forgets everything; a later `get` starts over. */
  close(): void;
}

interface CacheEntry {
  /** Records by version. */
  readonly records: Map<string, ServiceRecord>;
  /**
   * `records` as the array `get` answers, built once per change: the same array until the
   * service changes, so callers may memoize what they derive from it by identity.
   */
  list: readonly ServiceRecord[] | undefined;
  expiresAt: number;
}

/** Creates a cache over `registry`; watching starts with the first lookup. */
export function createServiceCache(options: ServiceCacheOptions): ServiceCache {
  const { registry } = options;
  const ttl = options.ttl ?? 60_000;
  const retryInterval = options.retryInterval ?? 1_000;
  const logger = options.logger ?? createConsoleLogger({ name: "selector" });
  /** Whether stale records are being served; logged once per outage. */
  let stale = false;
  const entries = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<readonly ServiceRecord[]>>();
  /** Names changed while their lookup was in flight: its answer may already be old. */
  const changedDuringLookup = new Set<string>();
  let watcher: RegistryWatcher | undefined;

  const follow = (current: RegistryWatcher): void => {
    void (async () => {
      try {
        for await (const event of current) {
          const { name, version } = event.service;
          if (inflight.has(name)) changedDuringLookup.add(name);
          const entry = entries.get(name);
          if (!entry) continue;
          if (event.type === "delete") entry.records.delete(version);
          else entry.records.set(version, event.service);
          entry.list = undefined;
        }
      } catch {
        // A failed watch ends like a stopped one: fall back to reading the registry.
      }
      if (watcher === current) {
        // Keep the records as a fallback, but read the registry on the next lookup.
        watcher = undefined;
        for (const entry of entries.values()) entry.expiresAt = 0;
      }
    })();
  };

  const lookup = async (name: string): Promise<readonly ServiceRecord[]> => {
    changedDuringLookup.delete(name);
    let records: ServiceRecord[];
    try {
      records = await registry.getService(name);
    } catch (error) {
      const known = entries.get(name);
      if (!known) throw error;
      if (!stale) {
        stale = true;
        logger.warn("registry unreachable; serving cached nodes (stale) until it is back", {
          registry: registry.name,
          error: String(error),
        });
      }
      known.expiresAt = Date.now() + retryInterval;
      return listOf(known);
    } finally {
      inflight.delete(name);
    }
    if (stale) {
      stale = false;
      logger.info("registry reachable again; cache refreshed", { registry: registry.name });
    }
    // An empty answer is kept too: the watch adds the service when it appears, so asking
    // for a service with no nodes (a topic nobody subscribes to) does not read each time.
    const entry: CacheEntry = {
      records: new Map(records.map((record) => [record.version, record])),
      list: undefined,
      expiresAt: changedDuringLookup.has(name) ? 0 : Date.now() + ttl,
    };
    entries.set(name, entry);
    changedDuringLookup.delete(name);
    return listOf(entry);
  };

  /** The records of `name` while they may be served from memory without a read. */
  const fresh = (name: string): readonly ServiceRecord[] | undefined => {
    const entry = entries.get(name);
    return entry && entry.expiresAt > Date.now() ? listOf(entry) : undefined;
  };

  return {
    cached: fresh,
    get(name) {
      const known = fresh(name);
      if (known) return Promise.resolve(known);
      if (!watcher) {
        watcher = registry.watch();
        follow(watcher);
      }
      let pending = inflight.get(name);
      if (!pending) {
        pending = lookup(name);
        inflight.set(name, pending);
      }
      return pending;
    },
    close() {
      const current = watcher;
      watcher = undefined;
      current?.stop();
      entries.clear();
    },
  };
}

function listOf(entry: CacheEntry): readonly ServiceRecord[] {
  entry.list ??= [...entry.records.values()];
  return entry.list;
}

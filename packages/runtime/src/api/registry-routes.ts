import type { Logger } from "../logger/logger.js";
import type { Registry, RegistryWatcher, ServiceRecord } from "../registry/registry.js";
import { type RouteTable, createRouteTable } from "./route-table.js";

/** Settings of the route table kept in step with a registry. */
export interface RegistryRoutesOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  /** Milliseconds before a failed watch is started again. Default 1 000. */
  readonly retryInterval?: number;
}

/** The current route table of a registry; it changes as services come and go. */
export interface RegistryRoutes {
  /** Resolves once the registry was read; rejects (and retries later) when it cannot be. */
  ready(): Promise<void>;
  current(): RouteTable;
  /**
   * Reads one service from the registry now, for a request that names a service the table
   * does not know yet (it may have registered a moment ago, before the watch told us).
   * At most one read per name per second.
   */
  lookup(name: string): Promise<void>;
  close(): void;
}

/**
 * One `registry.watch()` over every service feeds the table, so routes follow services
 * without a route list anyone maintains. The watch starts before the first read, so no
 * change is missed between the two; a watch that fails is started again with a new read.
 */
export function createRegistryRoutes(options: RegistryRoutesOptions): RegistryRoutes {
  const { registry, logger } = options;
  const retryInterval = options.retryInterval ?? 1_000;
  /** Records by service name, then version. */
  const records = new Map<string, Map<string, ServiceRecord>>();
  let table = createRouteTable([]);
  let watcher: RegistryWatcher | undefined;
  let loading: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const lookedUp = new Map<string, number>();

  /** Problems already logged, so each heartbeat's rebuild does not repeat them. */
  const reported = new Set<string>();
  const rebuild = () => {
    table = createRouteTable([...records.values()].flatMap((versions) => [...versions.values()]));
    for (const problem of table.problems) {
      const key = `${problem.service} ${problem.endpoint} ${problem.reason}`;
      if (reported.has(key)) continue;
      reported.add(key);
      logger.warn("route left out", { ...problem });
    }
  };

  const apply = (type: "create" | "update" | "delete", record: ServiceRecord) => {
    const versions = records.get(record.name) ?? new Map<string, ServiceRecord>();
    if (type === "delete" || record.nodes.length === 0) versions.delete(record.version);
    else versions.set(record.version, record);
    if (versions.size === 0) records.delete(record.name);
    else records.set(record.name, versions);
  };

  const follow = (current: RegistryWatcher) => {
    void (async () => {
      try {
        for await (const event of current) {
          apply(event.type, event.service);
          rebuild();
        }
      } catch (error) {
        if (!closed) logger.warn("registry watch failed; restarting it", { error: String(error) });
      }
      if (watcher === current && !closed) {
        watcher = undefined;
        loading = undefined;
        retry = setTimeout(() => void load().catch(() => undefined), retryInterval);
        retry.unref();
      }
    })();
  };

  const load = (): Promise<void> => {
    loading ??= (async () => {
      try {
        const current = registry.watch();
        watcher = current;
        follow(current);
        const listed = await registry.listServices();
        records.clear();
        for (const record of listed) apply("create", record);
        rebuild();
      } catch (error) {
        watcher?.stop();
        watcher = undefined;
        loading = undefined;
        throw error;
      }
    })();
    return loading;
  };

  return {
    ready: load,
    current: () => table,
    async lookup(name) {
      const now = Date.now();
      if ((lookedUp.get(name) ?? 0) > now - 1_000) return;
      lookedUp.set(name, now);
      if (lookedUp.size > 1_000) lookedUp.clear();
      const found = await registry.getService(name);
      if (found.length === 0) return;
      for (const record of found) apply("update", record);
      rebuild();
    },
    close() {
      closed = true;
      clearTimeout(retry);
      watcher?.stop();
      watcher = undefined;
    },
  };
}

import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import { MicroError } from "../errors/micro-error.js";
import {
  STALE_TMP_MS,
  collectStaleTemporaryFiles,
  defaultRegistryDirectory,
  ensureDirectory,
  isCollectable,
  nodeFileFor,
  nodeFileName,
  nodeFileState,
  readNodeFiles,
  removeFile,
  writeNodeFile,
} from "./local-registry-files.js";
import { type DirectoryMonitor, startDirectoryMonitor } from "./local-registry-monitor.js";
import {
  DEFAULT_REGISTER_TTL,
  type NodeEntry,
  buildRecords,
  resolveTtl,
  validateServiceRecord,
} from "./registry-records.js";
import type { Registry, RegisterOptions, ServiceRecord } from "./registry.js";
import { type WatcherFeed, createWatcherFeed } from "./registry-watcher.js";

/** Settings of the local registry. */
export interface LocalRegistryOptions {
  /**
   * Folder holding one JSON file per node; every process using the same folder sees the
   * same services. Default `<os.tmpdir()>/micro-registry-<uid>` (per user, created with
   * mode 0700). `MICRO_REGISTRY_ADDRESS` is passed here.
   */
  readonly directory?: string;
  /**
   * TTL in milliseconds for a `register` call that gives none. Default 90 000, go-micro's:
   * a server re-registers every 30 s, so a node is forgotten after three missed beats.
   */
  readonly ttl?: number;
  /**
   * Milliseconds between the rescans of a watch, which notice expired nodes and killed
   * processes (neither changes a file) and any file event the OS did not deliver.
   * Default 1 000: a `kill -9`ed service disappears for watchers within about a second.
   */
  readonly pollInterval?: number;
  /**
   * Host name written into each node file; a reader with the same host name forgets a node
   * whose process no longer exists, without waiting for its TTL. Default `os.hostname()`.
   * Give containers that share the folder but not a pid namespace distinct names.
   */
  readonly hostname?: string;
}

/**
 * The default registry: works across the processes of one machine with no daemon. Each
 * node is a file written atomically (temporary file, then rename) with its expiry, pid
 * and host name; readers skip expired nodes and nodes whose process has died, and delete
 * such files once it is safe. `watch()` follows the folder with `fs.watch` and a poll.
 */
export function createLocalRegistry(options: LocalRegistryOptions = {}): Registry {
  const directory = options.directory ?? defaultRegistryDirectory();
  const defaultTtl = resolveTtl("local", options.ttl, DEFAULT_REGISTER_TTL);
  const pollInterval = options.pollInterval ?? 1_000;
  if (!Number.isFinite(pollInterval) || pollInterval <= 0) {
    throw new MicroError(
      "micro.registry.local",
      400,
      `local registry: pollInterval must be a positive number of milliseconds, got ${pollInterval}`,
    );
  }
  const hostname = options.hostname ?? osHostname();
  const watchers = new Set<WatcherFeed>();
  let monitor: DirectoryMonitor | undefined;
  let closed = false;
  let lastSweep = -Infinity;

  const ensureOpen = (): void => {
    if (closed) throw new MicroError("micro.registry.local", 503, "local registry is closed");
  };

  /** Live entries (of service `name`), collecting the files of dead or long-gone nodes. */
  const readLive = async (name?: string): Promise<ServiceRecord[]> => {
    const now = Date.now();
    const live: NodeEntry[] = [];
    for (const { fileName, file } of await readNodeFiles(directory, name)) {
      const state = nodeFileState(file, now, hostname);
      if (state === "live") {
        // The content, not the file name, is authoritative (a file may be copied or renamed).
        if (name === undefined || file.name === name) live.push(file);
      } else if (isCollectable(file, state, now)) {
        await removeFile(join(directory, fileName)).catch(() => undefined);
      }
    }
    return [...buildRecords(live).values()];
  };

  const stopWatcher = (watcher: WatcherFeed): void => {
    watchers.delete(watcher);
    if (watchers.size === 0) {
      monitor?.stop();
      monitor = undefined;
    }
  };

  return {
    name: "local",

    async register(service: ServiceRecord, registerOptions?: RegisterOptions) {
      ensureOpen();
      const record = validateServiceRecord("local", service, true);
      const ttl = resolveTtl("local", registerOptions?.ttl, defaultTtl);
      const fileNames = record.nodes.map((node) =>
        nodeFileName(record.name, record.version, node.id),
      );
      await ensureDirectory(directory);
      const registeredAt = Date.now();
      await Promise.all(
        record.nodes.map((node, index) =>
          writeNodeFile(
            directory,
            fileNames[index] as string,
            nodeFileFor(record, node, registeredAt, ttl, hostname),
          ),
        ),
      );
      monitor?.poke();
      if (registeredAt - lastSweep > STALE_TMP_MS) {
        lastSweep = registeredAt;
        await collectStaleTemporaryFiles(directory, registeredAt).catch(() => undefined);
      }
    },

    async deregister(service: ServiceRecord) {
      ensureOpen();
      const record = validateServiceRecord("local", service, false);
      await Promise.all(
        record.nodes.map((node) =>
          removeFile(join(directory, nodeFileName(record.name, record.version, node.id))),
        ),
      ).catch((error: unknown) => {
        throw new MicroError(
          "micro.registry.local",
          500,
          `local registry: cannot remove a node file of service ${JSON.stringify(record.name)} ` +
            `in ${JSON.stringify(directory)}: ${(error as Error).message}`,
          { cause: error },
        );
      });
      monitor?.poke();
    },

    async getService(name: string) {
      ensureOpen();
      return readLive(name);
    },

    async listServices() {
      ensureOpen();
      return readLive();
    },

    watch(watchOptions?: { service?: string }) {
      ensureOpen();
      monitor ??= startDirectoryMonitor({
        directory,
        hostname,
        pollInterval,
        onEvents: (events) => {
          for (const event of events) for (const watcher of watchers) watcher.push(event);
        },
      });
      const watcher = createWatcherFeed(watchOptions?.service, () => stopWatcher(watcher));
      watchers.add(watcher);
      return watcher;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const watcher of [...watchers]) watcher.stop();
      monitor?.stop();
      monitor = undefined;
    },
  };
}

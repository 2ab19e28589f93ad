import { type FSWatcher, readFileSync, readdirSync, statSync, watch } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { buildRecords, diffRecords } from "./registry-records.js";
import type { RegistryEvent, ServiceRecord } from "./registry.js";
import {
  type NodeFile,
  ensureDirectorySync,
  isCollectable,
  isNodeFileName,
  nodeFileState,
  parseNodeFile,
  removeFile,
} from "./local-registry-files.js";

/** How long to gather file events before one rescan: a rename fires several. */
const DEBOUNCE_MS = 10;

/** Settings of a directory monitor. */
export interface DirectoryMonitorOptions {
  readonly directory: string;
  readonly hostname: string;
  /** Milliseconds between polls that catch expiries, dead processes and missed file events. */
  readonly pollInterval: number;
  readonly onEvents: (events: RegistryEvent[]) => void;
}

/** Keeps the records of a registry directory current and reports each change. */
export interface DirectoryMonitor {
  /** Rescans soon; called after this process changed a file, not to wait for `fs.watch`. */
  poke(): void;
  stop(): void;
}

/** What a file looked like when last read: a changed inode, time or size means re-read. */
interface FileState {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly size: number;
  readonly file: NodeFile | undefined;
}

const sameStat = (a: FileState | undefined, b: { ino: number; mtimeMs: number; size: number }) =>
  a !== undefined && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;

/**
 * Starts watching `directory`. The first scan is synchronous, so every change after this
 * call returns is reported; later scans run on `fs.watch` events and on a poll, and read
 * only files whose stat changed. Expiry and process checks need no read at all.
 */
export function startDirectoryMonitor(options: DirectoryMonitorOptions): DirectoryMonitor {
  const { directory, hostname } = options;
  const files = new Map<string, FileState>();
  let records = new Map<string, ServiceRecord>();
  let running = true;
  let scanning: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;

  /** Rebuilds the records from the known files and reports the differences. */
  const evaluate = (report: boolean): void => {
    const now = Date.now();
    const live: NodeFile[] = [];
    for (const [fileName, state] of files) {
      if (!state.file) continue;
      const fileState = nodeFileState(state.file, now, hostname);
      if (fileState === "live") live.push(state.file);
      else if (isCollectable(state.file, fileState, now)) {
        removeFile(join(directory, fileName)).catch(() => undefined);
      }
    }
    const next = buildRecords(live);
    const events = diffRecords(records, next);
    records = next;
    if (report && events.length > 0) options.onEvents(events);
  };

  const scanOnce = async (): Promise<void> => {
    const names = (await readdir(directory).catch(() => [] as string[])).filter(isNodeFileName);
    const present = new Set(names);
    for (const fileName of files.keys()) if (!present.has(fileName)) files.delete(fileName);
    await Promise.all(
      names.map(async (fileName) => {
        const path = join(directory, fileName);
        const stats = await stat(path).catch(() => undefined);
        if (!stats) {
          files.delete(fileName);
          return;
        }
        if (sameStat(files.get(fileName), stats)) return;
        const text = await readFile(path, "utf8").catch(() => undefined);
        const file = text === undefined ? undefined : parseNodeFile(text);
        files.set(fileName, { ino: stats.ino, mtimeMs: stats.mtimeMs, size: stats.size, file });
      }),
    );
    if (running) evaluate(true);
  };

  const scan = (): void => {
    if (!running) return;
    if (scanning) {
      again = true;
      return;
    }
    scanning = (async () => {
      do {
        again = false;
        await scanOnce();
      } while (again && running);
    })().finally(() => {
      scanning = undefined;
    });
  };

  const scanSoon = (): void => {
    if (debounce || !running) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      scan();
    }, DEBOUNCE_MS);
    debounce.unref();
  };

  ensureDirectorySync(directory);
  for (const fileName of readdirSync(directory).filter(isNodeFileName)) {
    try {
      const path = join(directory, fileName);
      const stats = statSync(path);
      const file = parseNodeFile(readFileSync(path, "utf8"));
      files.set(fileName, { ino: stats.ino, mtimeMs: stats.mtimeMs, size: stats.size, file });
    } catch {
      // Removed between readdir and read: the next scan settles it.
    }
  }
  evaluate(false);

  let fsWatcher: FSWatcher | undefined;
  try {
    fsWatcher = watch(directory, { persistent: false }, scanSoon);
    fsWatcher.on("error", () => {
      // The poll still catches every change; file events only make it faster.
      fsWatcher?.close();
      fsWatcher = undefined;
    });
  } catch {
    fsWatcher = undefined;
  }
  const poll = setInterval(scan, options.pollInterval);
  poll.unref();

  return {
    poke: scanSoon,
    stop() {
      running = false;
      clearInterval(poll);
      clearTimeout(debounce);
      fsWatcher?.close();
    },
  };
}

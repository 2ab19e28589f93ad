import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { MicroError } from "../errors/micro-error.js";
import { type NodeEntry, freezeDeep } from "./registry-records.js";
import type { ServiceNode, ServiceRecord } from "./registry.js";

// The on-disk layout of the local registry: one JSON file per node in one flat folder, so
// a reader needs a single readdir and a writer never touches another process's file.

/** Files whose name starts with this are being written; readers skip them. */
const TMP_PREFIX = ".tmp-";
/** Longest file name most file systems accept. */
const MAX_FILE_NAME_BYTES = 255;
/** A temporary file older than this was left by a writer killed mid-write. */
export const STALE_TMP_MS = 60_000;
/** A node file larger than this is refused on write and skipped on read. */
export const MAX_NODE_FILE_BYTES = 1024 * 1024;

/** What one node file holds: the registration, its expiry, and who wrote it. */
export interface NodeFile extends NodeEntry {
  readonly format: 1;
  /** Writer's process id, checked on the same host so a dead process is forgotten at once. */
  readonly pid: number;
  readonly hostname: string;
}

/** Whether a node file counts: `dead` means its process is gone from this very host. */
export type NodeFileState = "live" | "expired" | "dead";

/** `<tmpdir>/micro-registry-<uid>`: per user, so users of one machine do not mix services. */
export function defaultRegistryDirectory(): string {
  const user = process.getuid?.() ?? userInfo().username;
  return join(tmpdir(), `micro-registry-${user}`);
}

const encode = (part: string) => encodeURIComponent(part);

/** The file of one node; `@` never survives encoding, so it separates the parts. */
export function nodeFileName(name: string, version: string, nodeId: string): string {
  const fileName = `${encode(name)}@${encode(version)}@${encode(nodeId)}.json`;
  if (Buffer.byteLength(fileName) > MAX_FILE_NAME_BYTES) {
    throw new MicroError(
      "micro.registry.local",
      400,
      `local registry: service ${JSON.stringify(name)} version ${JSON.stringify(version)} node ` +
        `${JSON.stringify(nodeId)} makes a file name longer than ${MAX_FILE_NAME_BYTES} bytes; ` +
        "use shorter names",
    );
  }
  return fileName;
}

/** The prefix of every node file of service `name`. */
export function serviceFilePrefix(name: string): string {
  return `${encode(name)}@`;
}

/** Whether a directory entry is a finished node file. */
export function isNodeFileName(fileName: string): boolean {
  return fileName.endsWith(".json") && !fileName.startsWith(TMP_PREFIX);
}

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((item) => typeof item === "string");
}

/** Parses a node file; anything malformed (a foreign or truncated file) is undefined. */
export function parseNodeFile(text: string): NodeFile | undefined {
  if (text.length > MAX_NODE_FILE_BYTES) return undefined;
  let value: Partial<NodeFile>;
  try {
    value = JSON.parse(text) as Partial<NodeFile>;
  } catch {
    return undefined;
  }
  const node = value.node as Partial<ServiceNode> | undefined;
  const valid =
    value.format === 1 &&
    typeof value.name === "string" &&
    typeof value.version === "string" &&
    isStringMap(value.metadata) &&
    Array.isArray(value.endpoints) &&
    typeof node?.id === "string" &&
    typeof node.address === "string" &&
    isStringMap(node.metadata) &&
    typeof value.registeredAt === "number" &&
    typeof value.expiresAt === "number" &&
    typeof value.pid === "number" &&
    typeof value.hostname === "string";
  return valid ? freezeDeep(value as NodeFile) : undefined;
}

/** Whether process `pid` is gone; EPERM means it exists but belongs to someone else. */
function processIsGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Live, expired, or written by a process of this host that no longer exists. */
export function nodeFileState(file: NodeFile, now: number, hostname: string): NodeFileState {
  if (file.expiresAt <= now) return "expired";
  if (file.hostname === hostname && processIsGone(file.pid)) return "dead";
  return "live";
}

/**
 * Whether a reader may delete a file it does not own: a dead process cannot write again,
 * and an owner silent for a second TTL past expiry has stopped, so no fresh write is lost.
 */
export function isCollectable(file: NodeFile, state: NodeFileState, now: number): boolean {
  if (state === "dead") return true;
  return state === "expired" && now > file.expiresAt + (file.expiresAt - file.registeredAt);
}

/** Removes a file, ignoring one that is already gone (another reader collected it). */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}

function directoryError(directory: string, error: unknown): MicroError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  return new MicroError(
    "micro.registry.local",
    500,
    `local registry: cannot use directory ${JSON.stringify(directory)} (${code}: ` +
      `${(error as Error).message}); make it a writable directory or point ` +
      "MICRO_REGISTRY_ADDRESS at one",
    { cause: error },
  );
}

/** Creates the directory (owner-only) if needed; a clear error says which and what to do. */
export async function ensureDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw directoryError(directory, error);
  });
}

/** The synchronous twin of `ensureDirectory`, for `watch()`, which must return at once. */
export function ensureDirectorySync(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw directoryError(directory, error);
  }
}

/** Writes a node file atomically: readers see the old file or the new one, never a part. */
export async function writeNodeFile(
  directory: string,
  fileName: string,
  file: NodeFile,
): Promise<void> {
  const text = JSON.stringify(file);
  if (Buffer.byteLength(text) > MAX_NODE_FILE_BYTES) {
    throw new MicroError(
      "micro.registry.local",
      413,
      `local registry: the registration of service ${JSON.stringify(file.name)} is larger ` +
        `than ${MAX_NODE_FILE_BYTES} bytes; register fewer endpoints or less metadata`,
    );
  }
  const tmp = join(directory, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, join(directory, fileName));
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw directoryError(directory, error);
  }
}

/** Deletes temporary files of writers that died between writing and renaming. */
export async function collectStaleTemporaryFiles(directory: string, now: number): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((fileName) => fileName.startsWith(TMP_PREFIX))
      .map(async (fileName) => {
        const path = join(directory, fileName);
        const stats = await stat(path).catch(() => undefined);
        if (stats && now - stats.mtimeMs > STALE_TMP_MS) await rm(path, { force: true });
      }),
  );
}

/** Reads every node file (of service `name` when given); a missing directory is empty. */
export async function readNodeFiles(
  directory: string,
  name?: string,
): Promise<{ fileName: string; file: NodeFile }[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw directoryError(directory, error);
  }
  const prefix = name === undefined ? "" : serviceFilePrefix(name);
  const wanted = names.filter(
    (fileName) => isNodeFileName(fileName) && fileName.startsWith(prefix),
  );
  const read = await Promise.all(
    wanted.map(async (fileName) => {
      const text = await readFile(join(directory, fileName), "utf8").catch(() => undefined);
      const file = text === undefined ? undefined : parseNodeFile(text);
      return file ? { fileName, file } : undefined;
    }),
  );
  return read.filter((item) => item !== undefined);
}

/** The file a node of `service` is written to, with its expiry and the writer's identity. */
export function nodeFileFor(
  service: ServiceRecord,
  node: ServiceNode,
  registeredAt: number,
  ttl: number,
  hostname: string,
): NodeFile {
  return {
    format: 1,
    name: service.name,
    version: service.version,
    metadata: service.metadata,
    endpoints: service.endpoints,
    node,
    registeredAt,
    expiresAt: registeredAt + ttl,
    pid: process.pid,
    hostname,
  };
}

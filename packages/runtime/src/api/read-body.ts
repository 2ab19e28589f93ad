import type { IncomingMessage } from "node:http";
import { MicroError, badRequest, payloadTooLarge } from "../errors/micro-error.js";

const ID = "micro.api";

/** A body being read: its chunks so far and how the read ends. */
interface Reading {
  readonly chunks: Buffer[];
  size: number;
  readonly limit: number;
  readonly resolve: (body: Buffer) => void;
  readonly reject: (error: Error) => void;
}

const READING = Symbol("micro.api.reading");
type ReadRequest = IncomingMessage & { [READING]?: Reading | undefined };

/**
 * Reads the request body up to `limit` bytes. A larger body (by `content-length` or as it
 * arrives) rejects with 413 without buffering the rest. The listeners are module functions
 * with the state on the request, rather than closures made per request.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    (req as ReadRequest)[READING] = { chunks: [], size: 0, limit, resolve, reject };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function onData(this: ReadRequest, chunk: Buffer): void {
  const reading = this[READING] as Reading;
  reading.size += chunk.length;
  if (reading.size > reading.limit) {
    stop(this);
    this.resume();
    reading.reject(tooLarge(reading.limit));
    return;
  }
  reading.chunks.push(chunk);
}

function onEnd(this: ReadRequest): void {
  const { chunks, size, resolve } = stop(this);
  resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
}

function onError(this: ReadRequest, error: Error): void {
  stop(this).reject(new MicroError(ID, 400, `reading the request body failed: ${error.message}`));
}

function stop(req: ReadRequest): Reading {
  const reading = req[READING] as Reading;
  req[READING] = undefined;
  req.off("data", onData);
  req.off("end", onEnd);
  req.off("error", onError);
  return reading;
}

/** Parses a JSON body; empty means none. */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString());
  } catch (error) {
    throw badRequest(ID, `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** NDJSON (one JSON value per line) or a JSON array: the messages of a client stream. */
export function parseJsonMessages(bytes: Buffer, ndjson: boolean): unknown[] {
  if (!ndjson) {
    const value = parseJsonBody(bytes);
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  }
  const messages: unknown[] = [];
  const lines = bytes.toString("utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "") continue;
    try {
      messages.push(JSON.parse(line));
    } catch (error) {
      throw badRequest(
        ID,
        `line ${i + 1} of the NDJSON body is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  return messages;
}

function tooLarge(limit: number): MicroError {
  return payloadTooLarge(
    ID,
    `the request body is larger than the gateway's limit of ${limit} bytes`,
  );
}

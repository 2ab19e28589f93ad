import type { IncomingMessage } from "node:http";
import { MicroError, badRequest, payloadTooLarge } from "../errors/micro-error.js";

const ID = "micro.api";

/**
 * Reads the request body up to `limit` bytes. A larger body (by `content-length` or as it
 * arrives) rejects with 413 without buffering the rest.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new MicroError(ID, 400, `reading the request body failed: ${error.message}`));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** Parses a JSON body; empty means none. */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8"));
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

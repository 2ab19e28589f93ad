import type { IncomingMessage } from "node:http";

/** A request body larger than allowed; answered with 413. */
export class BodyTooLargeError extends Error {}

/** Reads the whole body, failing once it passes `limit` bytes so a huge upload is not buffered. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`the body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

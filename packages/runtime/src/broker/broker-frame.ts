import type { BrokerMessage } from "./broker.js";

// The local broker's wire format for one message: a 4-byte big-endian length, the header
// as JSON, then the body as is. Headers travel in the body rather than as HTTP headers so
// any string (non-ASCII, any case, any length) survives unchanged.

/** Bytes a frame adds to the body besides the header JSON. */
const PREFIX_BYTES = 4;

/** Encodes a message into one frame. */
export function encodeFrame(message: BrokerMessage): Uint8Array {
  const header = Buffer.from(JSON.stringify(message.header));
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + header.length + message.body.length);
  frame.writeUInt32BE(header.length, 0);
  header.copy(frame, PREFIX_BYTES);
  frame.set(message.body, PREFIX_BYTES + header.length);
  return frame;
}

/** Decodes a frame; throws a message naming what is malformed. */
export function decodeFrame(frame: Buffer): BrokerMessage {
  if (frame.length < PREFIX_BYTES) throw new Error("frame shorter than its length prefix");
  const headerLength = frame.readUInt32BE(0);
  if (PREFIX_BYTES + headerLength > frame.length) throw new Error("header length beyond the frame");
  const header: unknown = JSON.parse(
    frame.toString("utf8", PREFIX_BYTES, PREFIX_BYTES + headerLength),
  );
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new Error("header is not an object");
  }
  for (const value of Object.values(header)) {
    if (typeof value !== "string") throw new Error("header values must be strings");
  }
  return {
    header: Object.freeze(header as Record<string, string>),
    body: new Uint8Array(
      frame.buffer,
      frame.byteOffset + PREFIX_BYTES + headerLength,
      frame.length - PREFIX_BYTES - headerLength,
    ),
  };
}

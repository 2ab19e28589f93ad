import type { BrokerMessage } from "./broker.js";

// The wire format of one message on the local and NATS brokers: a flags byte, the header
// entries' byte length (4 bytes, big-endian), the entries, then the body as is. What the
// receiver can derive is not sent: a `micro-topic` equal to the topic it arrived on and a
// `content-type` of application/proto are flags. An entry is a key code byte (0: the key
// follows as a string; else one of the well-known keys), then the value as a string. A
// string is its UTF-8 byte length (one byte below 255, else 255 and 4 bytes) and its bytes.
// Headers travel in the body rather than as HTTP or NATS headers so any string (non-ASCII,
// any case, any length) survives unchanged, and a small header costs few bytes per message.

/** Flag: `micro-topic` was the topic the frame travels on. */
const TOPIC_IMPLIED = 1;
/** Flag: `content-type` was application/proto. */
const PROTO_IMPLIED = 2;
const PROTO = "application/proto";
/** Key codes of the keys every published message carries; 0 means the key is spelt out. */
const KNOWN_KEYS = ["", "micro-id", "micro-topic", "content-type"] as const;
const PREFIX_BYTES = 5;
/** A string length byte saying a 4-byte length follows. */
const LONG = 255;

function keyCode(key: string): number {
  return key === "micro-id" ? 1 : key === "micro-topic" ? 2 : key === "content-type" ? 3 : 0;
}

/**
 * Writes a string at `at`, leaving `limit` and beyond alone; returns the offset after it,
 * or -1 when it does not fit.
 */
function writeString(frame: Buffer, at: number, limit: number, text: string): number {
  const length = text.length;
  if (length < LONG && at + 1 + length <= limit) {
    // Short ASCII (ids, topics, content types) byte by byte: cheaper than a UTF-8 encode call.
    let i = 0;
    for (; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit > 0x7f) break;
      frame[at + 1 + i] = unit;
    }
    if (i === length) {
      frame[at] = length;
      return at + 1 + length;
    }
  }
  const bytes = Buffer.byteLength(text);
  const start = at + (bytes < LONG ? 1 : 5);
  if (start + bytes > limit) return -1;
  frame.write(text, start, "utf8");
  if (bytes < LONG) frame[at] = bytes;
  else {
    frame[at] = LONG;
    frame.writeUInt32BE(bytes, at + 1);
  }
  return start + bytes;
}

/** Encodes into `frame`, the body at its end; undefined when the header does not fit. */
function encodeInto(frame: Buffer, topic: string, message: BrokerMessage): Buffer | undefined {
  const { header, body } = message;
  const limit = frame.length - body.length;
  let flags = 0;
  let at = PREFIX_BYTES;
  for (const key in header) {
    const value = header[key] as string;
    const code = keyCode(key);
    if (code === 2 && value === topic) flags |= TOPIC_IMPLIED;
    else if (code === 3 && value === PROTO) flags |= PROTO_IMPLIED;
    else {
      if (at >= limit) return undefined;
      frame[at++] = code;
      if (code === 0) at = writeString(frame, at, limit, key);
      if (at >= 0) at = writeString(frame, at, limit, value);
      if (at < 0) return undefined;
    }
  }
  frame[0] = flags;
  frame.writeUInt32BE(at - PREFIX_BYTES, 1);
  frame.set(body, at);
  return frame.subarray(0, at + body.length);
}

/** Encodes a message published on `topic` into one frame. */
export function encodeFrame(topic: string, message: BrokerMessage): Uint8Array {
  const { header, body } = message;
  // Room for ASCII (the usual case) first: a code, two 1-byte lengths, the characters.
  let ascii = PREFIX_BYTES + body.length;
  for (const key in header) ascii += 3 + key.length + (header[key] as string).length;
  const frame = encodeInto(Buffer.allocUnsafe(ascii), topic, message);
  if (frame) return frame;
  let room = PREFIX_BYTES + body.length;
  for (const key in header) {
    room += 11 + Buffer.byteLength(key) + Buffer.byteLength(header[key] as string);
  }
  return encodeInto(Buffer.allocUnsafe(room), topic, message) as Buffer;
}

/** Reads the string at the cursor and moves past it. */
function readString(frame: Buffer, cursor: Cursor): string {
  const { at, end } = cursor;
  if (at >= end) throw new Error("header entry cut short");
  let length = frame[at] as number;
  let start = at + 1;
  if (length === LONG) {
    if (at + 5 > end) throw new Error("header string length cut short");
    length = frame.readUInt32BE(at + 1);
    start = at + 5;
  }
  if (start + length > end) throw new Error("header string beyond the header");
  cursor.at = start + length;
  return frame.toString("utf8", start, start + length);
}

/** Decodes a frame that arrived on `topic`; throws a message naming what is malformed. */
export function decodeFrame(topic: string, frame: Buffer): BrokerMessage {
  if (frame.length < PREFIX_BYTES) throw new Error("frame shorter than its prefix");
  const flags = frame[0] as number;
  if (flags > (TOPIC_IMPLIED | PROTO_IMPLIED)) throw new Error(`unknown frame flags ${flags}`);
  const end = PREFIX_BYTES + frame.readUInt32BE(1);
  if (end > frame.length) throw new Error("header length beyond the frame");
  const header: Record<string, string> = {};
  if (flags & PROTO_IMPLIED) header["content-type"] = PROTO;
  if (flags & TOPIC_IMPLIED) header["micro-topic"] = topic;
  const cursor: Cursor = { at: PREFIX_BYTES, end };
  while (cursor.at < end) {
    const code = frame[cursor.at++] as number;
    const known = KNOWN_KEYS[code];
    if (known === undefined) throw new Error(`unknown header key code ${code}`);
    const key = code === 0 ? readString(frame, cursor) : known;
    const value = readString(frame, cursor);
    // A plain assignment to "__proto__" would set the prototype instead of an entry.
    if (key === "__proto__") Object.defineProperty(header, key, { value, enumerable: true });
    else header[key] = value;
  }
  return {
    header: Object.freeze(header),
    body: new Uint8Array(frame.buffer, frame.byteOffset + end, frame.length - end),
  };
}

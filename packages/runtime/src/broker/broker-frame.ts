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

/** Bytes of one slab that encoders carve frames from. */
const SLAB_BYTES = 64 * 1024;

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/**
 * Writes a string at `at`, leaving `limit` and beyond alone; returns the offset after it,
 * or -1 when it does not fit.
 */
function writeString(bytes: Uint8Array, at: number, limit: number, text: string): number {
  const length = text.length;
  if (length < LONG && at + 1 + length <= limit) {
    // Short ASCII (ids, topics, content types) byte by byte: cheaper than a UTF-8 encode call.
    let i = 0;
    for (; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit > 0x7f) break;
      bytes[at + 1 + i] = unit;
    }
    if (i === length) {
      bytes[at] = length;
      return at + 1 + length;
    }
  }
  const size = Buffer.byteLength(text);
  const start = at + (size < LONG ? 1 : 5);
  if (start + size > limit) return -1;
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).write(text, start, "utf8");
  if (size < LONG) bytes[at] = size;
  else {
    bytes[at] = LONG;
    writeUint32(bytes, at + 1, size);
  }
  return start + size;
}

/**
 * Encodes into `bytes` from `start`, not beyond `end`; returns the offset after the frame,
 * or -1 when it does not fit.
 */
function encodeInto(
  bytes: Uint8Array,
  start: number,
  end: number,
  topic: string,
  message: BrokerMessage,
): number {
  const { header, body } = message;
  const limit = end - body.length;
  let flags = 0;
  let at = start + PREFIX_BYTES;
  for (const key in header) {
    const value = header[key] as string;
    const code = keyCode(key);
    if (code === 2 && value === topic) flags |= TOPIC_IMPLIED;
    else if (code === 3 && value === PROTO) flags |= PROTO_IMPLIED;
    else {
      if (at >= limit) return -1;
      bytes[at++] = code;
      if (code === 0) at = writeString(bytes, at, limit, key);
      if (at >= 0) at = writeString(bytes, at, limit, value);
      if (at < 0) return -1;
    }
  }
  bytes[start] = flags;
  writeUint32(bytes, start + 1, at - start - PREFIX_BYTES);
  bytes.set(body, at);
  return at + body.length;
}

/** Room a frame needs when its header is ASCII (the usual case): code, lengths, characters. */
function asciiRoom(message: BrokerMessage): number {
  let room = PREFIX_BYTES + message.body.length;
  for (const key in message.header) {
    room += 3 + key.length + (message.header[key] as string).length;
  }
  return room;
}

/** Encodes a message published on `topic` into a frame of its own. */
export function encodeFrame(topic: string, message: BrokerMessage): Uint8Array {
  const ascii = new Uint8Array(asciiRoom(message));
  const end = encodeInto(ascii, 0, ascii.length, topic, message);
  if (end >= 0) return end === ascii.length ? ascii : ascii.subarray(0, end);
  let room = PREFIX_BYTES + message.body.length;
  for (const key in message.header) {
    room += 11 + Buffer.byteLength(key) + Buffer.byteLength(message.header[key] as string);
  }
  const bytes = new Uint8Array(room);
  return bytes.subarray(0, encodeInto(bytes, 0, room, topic, message));
}

/** Encodes frames for one publisher. */
export interface FrameEncoder {
  encode(topic: string, message: BrokerMessage): Uint8Array;
}

/**
 * An encoder that carves small frames from 64 KiB slabs: one allocation per slab rather
 * than one per message (the frames are views; a slab is freed once none is referenced).
 */
export function createFrameEncoder(): FrameEncoder {
  let slab = new Uint8Array(0);
  let used = 0;
  return {
    encode(topic, message) {
      const room = asciiRoom(message);
      if (room > SLAB_BYTES / 4) return encodeFrame(topic, message);
      if (used + room > slab.length) {
        slab = new Uint8Array(SLAB_BYTES);
        used = 0;
      }
      const end = encodeInto(slab, used, used + room, topic, message);
      if (end < 0) return encodeFrame(topic, message);
      const frame = new Uint8Array(slab.buffer, used, end - used);
      used = end;
      return frame;
    },
  };
}

/** Where decoding is in a frame: one object per frame, not an array per string. */
interface Cursor {
  at: number;
  readonly end: number;
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

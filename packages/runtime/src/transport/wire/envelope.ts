import { badRequest, payloadTooLarge } from "../../errors/micro-error.js";

/** Set on an envelope whose payload is compressed (Connect and gRPC share the bit). */
export const FLAG_COMPRESSED = 0b0000_0001;
/** Set on Connect's last envelope, which carries the end-of-stream JSON instead of a message. */
export const FLAG_END_STREAM = 0b0000_0010;

/** Bytes before each payload: one flags byte and a 4-byte big-endian length. */
export const ENVELOPE_HEADER_BYTES = 5;

/** One length-prefixed frame of a streaming body. */
export interface Envelope {
  readonly flags: number;
  readonly data: Uint8Array;
}

/**
 * Frames one payload. Streaming Connect and gRPC bodies are sequences of these, so a
 * reader knows where each message ends without a delimiter inside the bytes.
 */
export function encodeEnvelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + data.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.length, false);
  out.set(data, ENVELOPE_HEADER_BYTES);
  return out;
}

/** Limits and error attribution of `readEnvelopes`. */
export interface ReadEnvelopesOptions {
  /** Largest payload accepted; a larger declared length fails before it is buffered. */
  readonly maxMessageBytes: number;
  /** `id` of the MicroErrors raised (`micro.server` or `micro.client`). */
  readonly errorId: string;
}

/**
 * Splits a byte stream into envelopes as the chunks arrive. An oversize envelope fails
 * with a 413 as soon as its header is read (nothing is buffered for it), and a body that
 * ends in the middle of an envelope fails with a 400, so truncation is never silent.
 */
export async function* readEnvelopes(
  source: AsyncIterable<Uint8Array>,
  options: ReadEnvelopesOptions,
): AsyncGenerator<Envelope> {
  const { maxMessageBytes, errorId } = options;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  /** Payload length of the envelope being read, once its header is complete. */
  let needed = -1;

  const take = (count: number): Uint8Array => {
    const first = pending[0] as Uint8Array;
    let out: Uint8Array;
    if (first.length >= count) {
      out = first.subarray(0, count);
      if (first.length === count) pending.shift();
      else pending[0] = first.subarray(count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      while (filled < count) {
        const chunk = pending[0] as Uint8Array;
        const part = Math.min(chunk.length, count - filled);
        out.set(chunk.subarray(0, part), filled);
        filled += part;
        if (part === chunk.length) pending.shift();
        else pending[0] = chunk.subarray(part);
      }
    }
    pendingBytes -= count;
    return out;
  };

  let flags = 0;
  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    pending.push(chunk);
    pendingBytes += chunk.length;
    for (;;) {
      if (needed < 0) {
        if (pendingBytes < ENVELOPE_HEADER_BYTES) break;
        const header = take(ENVELOPE_HEADER_BYTES);
        flags = header[0] as number;
        needed = new DataView(header.buffer, header.byteOffset, 5).getUint32(1, false);
        if (needed > maxMessageBytes) {
          throw payloadTooLarge(
            errorId,
            `message of ${needed} bytes exceeds the limit of ${maxMessageBytes} bytes (maxMessageBytes)`,
          );
        }
      }
      if (pendingBytes < needed) break;
      const data = needed === 0 ? new Uint8Array(0) : take(needed);
      needed = -1;
      yield { flags, data };
    }
  }
  if (needed >= 0 || pendingBytes > 0) {
    const have =
      needed >= 0 ? `${pendingBytes} of ${needed} payload bytes` : `${pendingBytes} header bytes`;
    throw badRequest(errorId, `stream ended inside an envelope (${have} received)`);
  }
}

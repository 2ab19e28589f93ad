import { randomBytes } from "node:crypto";

/** Makes the `micro-id` of published messages. */
export interface MessageIds {
  next(): string;
}

/**
 * Message ids: a random 96-bit prefix drawn once per client, then a counter. Unique across
 * processes like a random UUID (the prefix), at the cost of a counter per message instead of
 * a UUID per message.
 */
export function createMessageIds(): MessageIds {
  const prefix = `${randomBytes(12).toString("base64url")}-`;
  let count = 0;
  return {
    next: () => prefix + (count++).toString(36),
  };
}

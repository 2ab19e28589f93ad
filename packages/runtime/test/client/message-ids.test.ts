// Message ids: a counter behind a random per-client prefix, so ids never repeat within a
// client nor between clients (processes).
import { describe, expect, it } from "vitest";
import { createMessageIds } from "../../src/client/message-ids.js";

describe("message ids", () => {
  it("are unique within a client and between clients, and short", () => {
    const a = createMessageIds();
    const b = createMessageIds();
    const ids = new Set<string>();
    for (let i = 0; i < 1_000; i++) ids.add(a.next()).add(b.next());
    expect(ids.size).toBe(2_000);
    expect(a.next()).toMatch(/^[\w-]{16}-[0-9a-z]+$/);
    expect(a.next().slice(0, 16)).not.toBe(b.next().slice(0, 16));
  });
});

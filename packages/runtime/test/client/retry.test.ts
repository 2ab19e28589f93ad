import { describe, expect, it } from "vitest";
import { MicroError } from "../../src/errors/micro-error.js";
import { exponentialBackoff, isRetryable } from "../../src/client/retry.js";

describe("isRetryable", () => {
  it("retries unavailable and timeouts, never 4xx or 500", () => {
    const codes = [400, 401, 403, 404, 408, 409, 429, 499, 500, 501, 502, 503, 504];
    const retried = codes.filter((code) => isRetryable(new MicroError("x", code, "d")));
    expect(retried).toEqual([408, 502, 503, 504]);
  });
});

describe("exponentialBackoff", () => {
  it("grows and stays under the 1 s cap", () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const cap = Math.min(1000, 25 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const pause = exponentialBackoff(attempt);
        expect(pause).toBeGreaterThanOrEqual(0);
        expect(pause).toBeLessThanOrEqual(cap);
      }
    }
  });
});

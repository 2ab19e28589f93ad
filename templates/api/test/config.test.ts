import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config.js";

describe("readConfig", () => {
  it("defaults to :8080, no CORS and no token", () => {
    const config = readConfig({});
    expect(config.address).toBe(":8080");
    expect(config.cors).toBeUndefined();
    expect(config.token).toBeUndefined();
  });

  it("reads origins as a list, or * for any", () => {
    expect(readConfig({ CORS_ORIGINS: "http://a.test, http://b.test" }).cors).toEqual({
      origins: ["http://a.test", "http://b.test"],
    });
    expect(readConfig({ CORS_ORIGINS: "*" }).cors).toEqual({ origins: "*" });
  });

  it("rejects a timeout that is not a positive number, naming the variable", () => {
    expect(() => readConfig({ API_TIMEOUT_MS: "soon" })).toThrow(/API_TIMEOUT_MS/);
  });
});

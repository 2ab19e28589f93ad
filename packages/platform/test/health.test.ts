import { describe, expect, it } from "vitest";
import { createHealth } from "../src/index.js";

describe("createHealth", () => {
  it("is serving only when every check passes in time", async () => {
    const health = createHealth({ timeout: 50 });
    expect((await health.check()).status).toBe("serving");
    health.register("db", async () => {});
    expect((await health.check()).status).toBe("serving");
    let aborted = false;
    health.register("hung", (signal) => {
      signal.addEventListener("abort", () => (aborted = true));
      return new Promise(() => {});
    });
    health.register("broken", async () => {
      throw new Error("connection refused");
    });
    const report = await health.check();
    expect(report.status).toBe("not_serving");
    expect(report.checks["db"]?.status).toBe("serving");
    expect(report.checks["hung"]).toMatchObject({
      status: "not_serving",
      error: "timed out after 50 ms",
    });
    expect(report.checks["broken"]).toMatchObject({
      status: "not_serving",
      error: "connection refused",
    });
    expect(aborted).toBe(true);
  });

  it("refuses a duplicate name", () => {
    const health = createHealth();
    health.register("db", async () => {});
    expect(() => health.register("db", async () => {})).toThrow(/already registered/);
  });
});

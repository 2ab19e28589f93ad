import { describe, expect, it } from "vitest";
import { createJsonLogger } from "../src/index.js";

describe("createJsonLogger", () => {
  it("writes one JSON object per line with base and call fields", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      level: "info",
      fields: { service: "greeter" },
      write: (line) => lines.push(line),
      now: () => 0,
    });
    logger.debug("dropped");
    logger.with({ requestId: "r1" }).info("served", { endpoint: "Greeter.Hello" });
    logger.error("failed", { error: new Error("boom") });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        time: "1970-01-01T00:00:00.000Z",
        level: "info",
        msg: "served",
        service: "greeter",
        requestId: "r1",
        endpoint: "Greeter.Hello",
      },
      {
        time: "1970-01-01T00:00:00.000Z",
        level: "error",
        msg: "failed",
        service: "greeter",
        error: expect.objectContaining({ name: "Error", message: "boom" }),
      },
    ]);
  });
});

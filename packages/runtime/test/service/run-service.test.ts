import { afterEach, describe, expect, it } from "vitest";
import { type Logger, type Service, createService, runService } from "../../src/index.js";

/** A logger that keeps its error lines. */
function recordingLogger(): Logger & { readonly errors: [string, unknown][] } {
  const errors: [string, unknown][] = [];
  return {
    errors,
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => errors.push([message, fields]),
  };
}

describe("runService", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("logs a bad setting as one error line and sets exit code 1, running nothing", async () => {
    const logger = recordingLogger();
    await runService(
      () => createService({ name: "x", env: { MICRO_TRANSPORT: "carrier-pigeon" } }),
      logger,
    );
    expect(process.exitCode).toBe(1);
    expect(logger.errors).toEqual([
      [
        "cannot start",
        {
          error: expect.stringMatching(
            /^MICRO_TRANSPORT=carrier-pigeon is not supported; use one of: http/,
          ),
        },
      ],
    ]);
  });

  it("rethrows any other error, whose stack is worth seeing", async () => {
    const logger = recordingLogger();
    const bug = new TypeError("handler is not a function");
    await expect(
      runService(() => {
        throw bug;
      }, logger),
    ).rejects.toBe(bug);
    expect(logger.errors).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });

  it("runs the service it created", async () => {
    let runs = 0;
    const service = { run: async () => void runs++ } as unknown as Service;
    await runService(() => service, recordingLogger());
    expect(runs).toBe(1);
  });
});

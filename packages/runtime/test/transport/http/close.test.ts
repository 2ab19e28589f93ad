import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Server,
  createHttpTransport,
  createMemoryRegistry,
  createServer,
} from "../../../src/index.js";
import { CountResponse, EchoDescriptor } from "../../fixtures/echo-descriptor.js";

const run = promisify(execFile);
const child = fileURLToPath(new URL("./close-client.ts", import.meta.url));

describe("http transport client close", () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer({
      name: "echo",
      transport: createHttpTransport(),
      registry: createMemoryRegistry(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    server.handle(EchoDescriptor, {
      Say: () => ({}),
      async *Count(request: { upTo: number }) {
        for (let n = 1; n <= request.upTo; n++) yield CountResponse.fromPartial({ n });
      },
      Collect: () => ({}),
      async *Converse() {},
    });
    await server.start();
  });
  afterAll(() => server.stop());

  it("resolves close() of an idle h2c session even when nothing else keeps the process alive", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--conditions=source", "--import", "tsx", child, server.address as string],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(stdout.trim()).toBe("closed");
  });
});

// The http transport as other clients see it: curl (HTTP/1.1 and h2c), hand-built Connect
// envelopes, and `buf curl --protocol connect`. Every call goes through a real socket.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FLAG_END_STREAM, encodeEnvelope } from "../../../src/transport/wire/envelope.js";
import { createHttpTransport } from "../../../src/transport/http/http-transport.js";
import type { TransportListener } from "../../../src/transport/transport.js";
import { SayRequest } from "../../fixtures/echo-descriptor.js";
import { type EchoObservations, createEchoRouter } from "../memory/echo-router.js";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../../../..");
const buf = join(root, "node_modules/.bin/buf");
const schema = resolve(import.meta.dirname, "../../fixtures/proto");

let listener: TransportListener;
let seen: EchoObservations;
let base: string;
let scratch: string;

beforeAll(async () => {
  const echo = createEchoRouter();
  seen = echo.seen;
  listener = await createHttpTransport().listen({
    address: "127.0.0.1:0",
    router: echo.router,
    maxMessageBytes: 1_024,
  });
  base = `http://${listener.address}`;
  scratch = await mkdtemp(join(tmpdir(), "micro-http-"));
});

afterAll(async () => {
  await listener.close(0);
  await rm(scratch, { recursive: true, force: true });
});

/** Runs curl; resolves with the status line, headers and body (never throws on HTTP errors). */
async function curl(
  args: string[],
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headerFile = join(scratch, `headers-${Math.random().toString(36).slice(2)}`);
  const { stdout } = await run("curl", ["-sS", "-D", headerFile, ...args], {
    encoding: "buffer",
    maxBuffer: 1 << 20,
  });
  const { readFile } = await import("node:fs/promises");
  const lines = (await readFile(headerFile, "latin1")).split("\r\n").filter(Boolean);
  const finalStatus = lines.filter((line) => line.startsWith("HTTP/")).pop() ?? "";
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("HTTP/")) {
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return { status: Number(finalStatus.split(" ")[1]), headers, body: stdout };
}

/** Splits a Connect streaming body into its envelopes. */
function envelopes(body: Buffer): { flags: number; json: unknown }[] {
  const out: { flags: number; json: unknown }[] = [];
  let offset = 0;
  while (offset < body.length) {
    const flags = body[offset] as number;
    const length = body.readUInt32BE(offset + 1);
    out.push({
      flags,
      json: JSON.parse(body.subarray(offset + 5, offset + 5 + length).toString()),
    });
    offset += 5 + length;
  }
  return out;
}

const json = (value: unknown) => encodeEnvelope(0, Buffer.from(JSON.stringify(value)));

describe.each([
  ["HTTP/1.1", [] as string[]],
  ["h2c", ["--http2-prior-knowledge"]],
])("curl over %s", (_name, protocol) => {
  it("calls a unary method with plain JSON, metadata both ways", async () => {
    const response = await curl([
      ...protocol,
      "-H",
      "content-type: application/json",
      "-H",
      "x-user: ada",
      "-d",
      '{"text":"hi"}',
      `${base}/echo.v1.Echo/Say`,
    ]);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["x-echo-node"]).toBe("node-1");
    // Only the caller's own header arrives as metadata: host, user-agent, accept... do not.
    expect(JSON.parse(response.body.toString())).toEqual({
      text: "hi",
      node: "node-1",
      metadata: { "x-user": "ada" },
    });
  });

  it("answers a handler's error with the Connect code, HTTP status and exact micro error", async () => {
    const response = await curl([
      ...protocol,
      "-H",
      "content-type: application/json",
      "-d",
      '{"failCode":409}',
      `${base}/echo.v1.Echo/Say`,
    ]);
    expect(response.status).toBe(409);
    expect(JSON.parse(response.body.toString())).toEqual({
      code: "already_exists",
      message: "failing with 409 as asked",
    });
    expect(JSON.parse(response.headers["micro-error"] ?? "")).toEqual({
      id: "echo",
      code: 409,
      detail: "failing with 409 as asked",
      status: "Conflict",
    });
  });

  it("streams a server-streaming response from a hand-built envelope", async () => {
    const file = join(scratch, `count-${protocol.length}`);
    await writeFile(file, json({ upTo: 3 }));
    const response = await curl([
      ...protocol,
      "-H",
      "content-type: application/connect+json",
      "-H",
      "connect-protocol-version: 1",
      "--data-binary",
      `@${file}`,
      `${base}/echo.v1.Echo/Count`,
    ]);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/connect+json");
    expect(response.headers["x-phase"]).toBe("started");
    expect(envelopes(response.body)).toEqual([
      { flags: 0, json: { n: 1 } },
      { flags: 0, json: { n: 2 } },
      { flags: 0, json: { n: 3 } },
      // Metadata set after the first message travels as end-stream trailers.
      { flags: FLAG_END_STREAM, json: { metadata: { "x-total": ["3"] } } },
    ]);
  });

  it("reads a client stream of envelopes; metadata set before the reply is a header", async () => {
    const file = join(scratch, `collect-${protocol.length}`);
    await writeFile(file, Buffer.concat([json({ text: "a" }), json({ text: "b" })]));
    const response = await curl([
      ...protocol,
      "-H",
      "content-type: application/connect+json",
      "--data-binary",
      `@${file}`,
      `${base}/echo.v1.Echo/Collect`,
    ]);
    expect(response.headers["x-count"]).toBe("2");
    expect(envelopes(response.body)).toEqual([
      { flags: 0, json: { texts: ["a", "b"] } },
      { flags: FLAG_END_STREAM, json: {} },
    ]);
  });

  it("ends a failing stream with the Connect error and the micro error in the end-stream", async () => {
    const file = join(scratch, `fail-${protocol.length}`);
    await writeFile(file, Buffer.concat([json({ text: "a" }), json({ failCode: 403 })]));
    const response = await curl([
      ...protocol,
      "-H",
      "content-type: application/connect+json",
      "--data-binary",
      `@${file}`,
      `${base}/echo.v1.Echo/Collect`,
    ]);
    expect(response.status).toBe(200);
    const [end] = envelopes(response.body);
    expect(end).toEqual({
      flags: FLAG_END_STREAM,
      json: {
        error: { code: "permission_denied", message: "failing with 403 as asked" },
        metadata: {
          "micro-error": [
            JSON.stringify({
              id: "echo",
              code: 403,
              detail: "failing with 403 as asked",
              status: "Forbidden",
            }),
          ],
        },
      },
    });
  });
});

describe("bad requests get the right code and the server keeps serving", () => {
  const say = (body: string, contentType = "application/json", path = "/echo.v1.Echo/Say") =>
    curl(["-H", `content-type: ${contentType}`, "--data-binary", body, `${base}${path}`]);

  it("unknown method: 404 not_found naming the path", async () => {
    const response = await say("{}", "application/json", "/echo.v1.Echo/Nope");
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString()).code).toBe("not_found");
    expect(JSON.parse(response.body.toString()).message).toContain("/echo.v1.Echo/Nope");
  });

  it("bad JSON: 400 invalid_argument", async () => {
    const response = await say('{"text":');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString())).toMatchObject({ code: "invalid_argument" });
    expect(JSON.parse(response.headers["micro-error"] ?? "").detail).toMatch(/malformed JSON/);
  });

  it("malformed protobuf: 400 invalid_argument", async () => {
    const file = join(scratch, "garbage.bin");
    await writeFile(file, Buffer.from([0x0a, 0x7f, 0x01]));
    const response = await say(`@${file}`, "application/proto");
    expect(response.status).toBe(400);
    expect(JSON.parse(response.headers["micro-error"] ?? "").detail).toMatch(/malformed protobuf/);
  });

  it("unsupported content type: 415 with the supported ones named", async () => {
    const response = await say("text", "text/plain");
    expect(response.status).toBe(415);
    expect(JSON.parse(response.body.toString())).toMatchObject({ code: "unimplemented" });
    expect(JSON.parse(response.body.toString()).message).toContain("application/json");
  });

  it("a bad connect-timeout-ms is the caller's error", async () => {
    const response = await curl([
      "-H",
      "content-type: application/json",
      "-H",
      "connect-timeout-ms: soon",
      "-d",
      "{}",
      `${base}/echo.v1.Echo/Say`,
    ]);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).message).toContain("connect-timeout-ms");
  });

  it("an oversize body fails with the limit named, and the same connection serves the next call", async () => {
    const big = join(scratch, "big.bin");
    await writeFile(
      big,
      SayRequest.encode({
        text: "",
        delayMs: 0,
        failCode: 0,
        payload: new Uint8Array(2_000),
      }).finish(),
    );
    const small = join(scratch, "small.bin");
    await writeFile(
      small,
      SayRequest.encode({
        text: "ok",
        delayMs: 0,
        failCode: 0,
        payload: new Uint8Array(0),
      }).finish(),
    );
    // Two requests in one curl invocation reuse one keep-alive connection.
    const { stdout, stderr } = await run(
      "curl",
      [
        "-sS",
        "-v",
        "-H",
        "content-type: application/proto",
        "--data-binary",
        `@${big}`,
        `${base}/echo.v1.Echo/Say`,
        "--next",
        "-H",
        "content-type: application/json",
        "-d",
        '{"text":"next"}',
        `${base}/echo.v1.Echo/Say`,
      ],
      { encoding: "utf8" },
    );
    expect(stderr).toMatch(/HTTP\/1.1 429/);
    expect(stderr).toMatch(/micro-error: .*"code":413.*maxMessageBytes/);
    expect(stderr).toMatch(/Re-using existing connection/);
    expect(stdout).toContain('"text":"next"');
  });

  it("enforces connect-timeout-ms: 408 micro error, handler aborted", async () => {
    const started = Date.now();
    const response = await curl([
      "-H",
      "content-type: application/json",
      "-H",
      "connect-timeout-ms: 100",
      "-d",
      '{"text":"slow","delayMs":5000}',
      `${base}/echo.v1.Echo/Say`,
    ]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.status).toBe(504); // deadline_exceeded in the Connect table
    expect(JSON.parse(response.body.toString()).code).toBe("deadline_exceeded");
    expect(JSON.parse(response.headers["micro-error"] ?? "").code).toBe(408);
    await vi.waitFor(() =>
      expect(seen.aborted.some((a) => (a.reason as { code?: number }).code === 408)).toBe(true),
    );
  });
});

describe.each([
  ["HTTP/1.1", [] as string[]],
  ["h2c", ["--http2-prior-knowledge"]],
])("buf curl --protocol connect over %s", (_name, protocol) => {
  const bufCurl = (path: string, data: string) =>
    run(
      buf,
      [
        "curl",
        "--protocol",
        "connect",
        ...protocol,
        "--schema",
        schema,
        "--data",
        data,
        `${base}${path}`,
      ],
      {
        encoding: "utf8",
      },
    );

  it("calls a unary method", async () => {
    const { stdout } = await bufCurl("/echo.v1.Echo/Say", '{"text":"from buf"}');
    expect(JSON.parse(stdout)).toEqual({ text: "from buf", node: "node-1" });
  });

  it("reads a server stream", async () => {
    const { stdout } = await bufCurl("/echo.v1.Echo/Count", '{"upTo":3}');
    const messages = stdout
      .split(/\n(?=\{)/)
      .filter((part) => part.trim() !== "")
      .map((part) => JSON.parse(part) as unknown);
    expect(messages).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("sees the Connect error code of a failing call", async () => {
    const failed = await bufCurl("/echo.v1.Echo/Say", '{"failCode":404}').then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failed?.stderr).toMatch(/"code": "not_found"/);
    expect(failed?.stderr).toMatch(/failing with 404 as asked/);
  });
});

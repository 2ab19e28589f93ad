import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GreeterProcess, type Sandbox, bin, createSandbox, root } from "./lib/greeter.js";

const run = promisify(execFile);

/** Runs a command and returns its exit code and output, without throwing on failure. */
async function exec(command: string, args: readonly string[], input?: string) {
  const child = run(command, args, { cwd: root, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** `curl` a Connect unary call; returns the HTTP status and the body. */
async function curl(url: string, contentType: string, body: string, extra: readonly string[] = []) {
  const result = await exec(
    "curl",
    [
      "-sS",
      "-o",
      "-",
      "-w",
      "\n%{http_code}",
      "-H",
      `content-type: ${contentType}`,
      "--data-binary",
      "@-",
      ...extra,
      url,
    ],
    body,
  );
  const lines = result.stdout.split("\n");
  const status = Number(lines.pop());
  return { status, body: lines.join("\n") };
}

const bufCurl = (args: readonly string[]) =>
  exec(join(bin, "buf"), ["curl", "--schema", root, ...args]);

describe("external clients against the greeter", () => {
  let sandbox: Sandbox;
  let http: GreeterProcess;
  let grpc: GreeterProcess;

  beforeAll(async () => {
    sandbox = createSandbox();
    [http, grpc] = await Promise.all([
      sandbox.startGreeter({ MICRO_MAX_MESSAGE_BYTES: "4096" }),
      sandbox.startGreeter({ MICRO_TRANSPORT: "grpc", MICRO_SERVER_NAME: "greeter-grpc" }),
    ]);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const url = (path: string) => `http://${http.address}${path}`;

  it("answers curl with JSON over HTTP/1.1 and h2c", async () => {
    const h1 = await curl(url("/greeter.v1.Greeter/Hello"), "application/json", '{"name":"curl"}');
    expect(h1).toEqual({ status: 200, body: '{"message":"Hello curl"}' });
    const h2 = await curl(url("/greeter.v1.Greeter/Hello"), "application/json", '{"name":"h2c"}', [
      "--http2-prior-knowledge",
    ]);
    expect(h2).toEqual({ status: 200, body: '{"message":"Hello h2c"}' });
  });

  it("answers buf curl over the Connect protocol, unary and server streaming", async () => {
    for (const flags of [[], ["--http2-prior-knowledge"]]) {
      const unary = await bufCurl([
        "--protocol",
        "connect",
        ...flags,
        "-d",
        '{"name":"buf"}',
        url("/greeter.v1.Greeter/Hello"),
      ]);
      expect(unary.stderr).toBe("");
      expect(JSON.parse(unary.stdout)).toEqual({ message: "Hello buf" });
      const streamed = await bufCurl([
        "--protocol",
        "connect",
        ...flags,
        "-d",
        '{"name":"buf","count":2}',
        url("/greeter.v1.Greeter/Stream"),
      ]);
      expect(streamed.code).toBe(0);
      expect(streamed.stdout).toContain('"message": "Hello buf (1/2)"');
      expect(streamed.stdout).toContain('"message": "Hello buf (2/2)"');
    }
  });

  it("answers buf curl over gRPC on the grpc transport", async () => {
    const target = `http://${grpc.address}/greeter.v1.Greeter`;
    const unary = await bufCurl([
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-d",
      '{"name":"grpc"}',
      `${target}/Hello`,
    ]);
    expect(unary.stderr).toBe("");
    expect(JSON.parse(unary.stdout)).toEqual({ message: "Hello grpc" });
    const streamed = await bufCurl([
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-d",
      '{"name":"grpc","count":2}',
      `${target}/Stream`,
    ]);
    expect(streamed.stdout).toContain('"message": "Hello grpc (2/2)"');
    const invalid = await bufCurl([
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "-d",
      '{"name":""}',
      `${target}/Hello`,
    ]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/invalid_argument/);
    expect(invalid.stderr).toMatch(/name is required/);
  });

  it("rejects bad input with the right codes and keeps serving", async () => {
    const hello = url("/greeter.v1.Greeter/Hello");
    const badJson = await curl(hello, "application/json", '{"name":');
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body)).toMatchObject({ code: "invalid_argument" });

    const badProto = await curl(hello, "application/proto", "\u00ff\u00ff\u00ff\u00ff");
    expect(badProto.status).toBe(400);
    expect(JSON.parse(badProto.body)).toMatchObject({ code: "invalid_argument" });

    const unknown = await curl(url("/greeter.v1.Greeter/Goodbye"), "application/json", "{}");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ code: "not_found" });

    const oversize = await curl(
      hello,
      "application/json",
      JSON.stringify({ name: "x".repeat(10_000) }),
    );
    expect(oversize.status).toBe(429);
    expect(JSON.parse(oversize.body)).toMatchObject({ code: "resource_exhausted" });

    const after = await curl(hello, "application/json", '{"name":"still here"}');
    expect(after).toEqual({ status: 200, body: '{"message":"Hello still here"}' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GreeterProcess, type Sandbox, createSandbox } from "../e2e/lib/greeter.js";
import { micro } from "../generate/lib/fixture-project.js";

let sandbox: Sandbox;
let greeter: GreeterProcess;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = createSandbox();
  greeter = await sandbox.startGreeter();
  env = { MICRO_REGISTRY_ADDRESS: sandbox.registryDirectory, NO_COLOR: "" };
});
afterAll(() => sandbox.close());

describe("micro against a running greeter", { timeout: 120_000 }, () => {
  it("lists services with nodes and endpoints", async () => {
    const result = await micro(["services"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("greeter 1.0.0");
    expect(result.stdout).toContain(greeter.address);
    expect(result.stdout).toMatch(
      /Greeter\.Hello\s+unary\s+\/greeter\.v1\.Greeter\/Hello\s+POST \/v1\/greeter\/hello/,
    );
    expect(result.stdout).toMatch(/Greeter\.Chat\s+bidi_streaming/);
    // Piped output carries no escape codes.
    expect(result.stdout).not.toContain("\u001b[");
    const json = await micro(["services", "greeter", "--json"], { env });
    const records = JSON.parse(json.stdout) as { name: string; nodes: { address: string }[] }[];
    expect(records.map((r) => r.name)).toEqual(["greeter"]);
    expect(records[0]?.nodes[0]?.address).toBe(greeter.address);
  });

  it("calls unary endpoints with JSON from the argument and from stdin", async () => {
    const result = await micro(["call", "greeter", "Greeter.Hello", '{"name":"Ada"}'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ message: "Hello Ada" });
    const piped = await micro(["call", "greeter", "Hello"], { env, input: '{"name":"Bob"}' });
    expect(JSON.parse(piped.stdout)).toEqual({ message: "Hello Bob" });
  });

  it("prints streamed responses one JSON line each", async () => {
    const server = await micro(["call", "greeter", "Greeter.Stream", '{"name":"Ada","count":3}'], {
      env,
    });
    expect(server.code, server.stderr).toBe(0);
    expect(
      server.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { message: "Hello Ada (1/3)" },
      { message: "Hello Ada (2/3)", index: 1 },
      { message: "Hello Ada (3/3)", index: 2 },
    ]);
    const client = await micro(["call", "greeter", "Greeter.Upload"], {
      env,
      input: '{"name":"a"}\n\n{"name":"b"}\n',
    });
    expect(JSON.parse(client.stdout)).toEqual({ names: ["a", "b"], message: "Hello a, b" });
    const bidi = await micro(["call", "greeter", "Greeter.Chat", '[{"text":"x"},{"text":"y"}]'], {
      env,
    });
    expect(bidi.stdout.trim().split("\n")).toEqual([
      '{"text":"Hello, you said: x"}',
      '{"text":"Hello, you said: y"}',
    ]);
  });

  it("publishes JSON that the greeter's subscriber decodes", async () => {
    const result = await micro(["publish", "greeter.greeted", '{"name":"Published"}'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("published to greeter.greeted (1 subscription)");
    await greeter.waitFor(/greeted Published \(topic greeter\.greeted\)/);
  });

  it("reports health per node, and a node that does not answer as down", async () => {
    const healthy = await micro(["health", "greeter"], { env });
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toContain("greeter: 1/1 node healthy");
    await sandbox.registry.register({
      name: "ghost",
      version: "1",
      metadata: {},
      endpoints: [],
      nodes: [{ id: "ghost-1", address: "127.0.0.1:1", metadata: { transport: "http" } }],
    });
    const down = await micro(["health", "ghost", "--timeout", "1s"], { env });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/DOWN\s+ghost-1\s+127\.0\.0\.1:1/);
    expect(down.stdout).toContain("ghost: 0/1 node healthy");
  });

  it("names what was wrong: service, endpoint, JSON, service errors", async () => {
    const service = await micro(["call", "nope", "X.Y", "{}"], { env });
    expect(service.code).toBe(1);
    expect(service.stderr).toContain(
      'service "nope" not found (404) in the registry; known services: ',
    );
    expect(service.stderr).toContain("greeter");
    const endpoint = await micro(["call", "greeter", "Greeter.Bye", "{}"], { env });
    expect(endpoint.code).toBe(1);
    expect(endpoint.stderr).toContain(
      'endpoint "Greeter.Bye" not found (404) on service "greeter"; its endpoints: Greeter.Chat, Greeter.Hello, Greeter.Stream, Greeter.Upload',
    );
    const json = await micro(["call", "greeter", "Greeter.Hello", '{"name":\n  "x",, }'], { env });
    expect(json.code).toBe(1);
    expect(json.stderr).toContain("bad JSON in the JSON argument at line 2, column 7");
    const array = await micro(["call", "greeter", "Greeter.Hello", "[1]"], { env });
    expect(array.stderr).toContain(
      "the JSON argument must be a JSON object (a message), got an array",
    );
    const invalid = await micro(["call", "greeter", "Greeter.Hello", '{"name":" "}'], { env });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("400 greeter: name is required");
    const publish = await micro(["publish", "t", "{"], { env });
    expect(publish.stderr).toContain("bad JSON in the JSON argument at line 1, column 2");
  });
});

describe("micro command line", { timeout: 120_000 }, () => {
  it("has --help for every verb and rejects unknown verbs, flags and missing arguments", async () => {
    for (const verb of ["generate", "check", "services", "call", "publish", "health"]) {
      const help = await micro([verb, "--help"]);
      expect(help.code, verb).toBe(0);
      expect(help.stdout, verb).toContain(`Usage: micro ${verb}`);
    }
    const main = await micro(["--help"]);
    expect(main.stdout).toContain("Commands:");
    const unknown = await micro(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const flag = await micro(["services", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("micro services: unknown flag --bogus");
    const missing = await micro(["call", "greeter"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing arguments: micro call <service> <Endpoint> [json]");
    const memory = await micro(["services"], { env: { MICRO_REGISTRY: "memory" } });
    expect(memory.code).toBe(1);
    expect(memory.stderr).toContain("MICRO_REGISTRY=memory lives inside one process");
  });
});

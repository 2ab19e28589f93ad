import { type AddressInfo, createServer as createNetServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MicroError } from "@micro-ts/runtime";
import {
  GreetedTopic,
  createGreeterClient,
} from "../../examples/greeter/gen/greeter/v1/greeter.micro.js";
import { type Sandbox, createSandbox, root } from "./lib/greeter.js";
import { start } from "./lib/process.js";

async function* stream<T>(...values: T[]): AsyncIterable<T> {
  for (const value of values) yield value;
}

/** Calls Hello in a loop from `concurrency` workers until `until` resolves; counts outcomes. */
async function helloLoad(sandbox: Sandbox, concurrency: number, until: Promise<unknown>) {
  const greeter = createGreeterClient(sandbox.client, "greeter");
  const servedBy = new Map<string, number>();
  const failures: unknown[] = [];
  let calls = 0;
  let done = false;
  void until.then(() => (done = true));
  const worker = async (id: number) => {
    while (!done) {
      calls++;
      try {
        await greeter.hello(
          { name: `worker ${id}` },
          {
            timeout: 5000,
            onResponseMetadata: (metadata) => {
              const pid = metadata["served-by"] ?? "?";
              servedBy.set(pid, (servedBy.get(pid) ?? 0) + 1);
            },
          },
        );
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  return { calls, failures, servedBy };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("examples/greeter across processes on the embedded defaults", () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it("serves all four method kinds to a client that finds it in the local registry", async () => {
    const instance = await sandbox.startGreeter();
    expect(instance.output()).toMatch(
      /service=greeter transport=http address=127\.0\.0\.1:\d+ registry=local/,
    );
    const greeter = createGreeterClient(sandbox.client, "greeter");

    expect(await greeter.hello({ name: "Ada" })).toEqual({ message: "Hello Ada" });
    const streamed = [];
    for await (const reply of greeter.stream({ name: "Ada", count: 3 })) streamed.push(reply);
    expect(streamed).toEqual([
      { message: "Hello Ada (1/3)", index: 0 },
      { message: "Hello Ada (2/3)", index: 1 },
      { message: "Hello Ada (3/3)", index: 2 },
    ]);
    const uploaded = await greeter.upload(stream({ name: "Ada" }, { name: "Grace" }));
    expect(uploaded).toEqual({ names: ["Ada", "Grace"], message: "Hello Ada, Grace" });
    const chatted = [];
    for await (const reply of greeter.chat(stream({ text: "one" }, { text: "two" })))
      chatted.push(reply.text);
    expect(chatted).toEqual(["Hello, you said: one", "Hello, you said: two"]);

    const error = await greeter.hello({ name: " " }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroError);
    expect(error).toMatchObject({ id: "greeter", code: 400, detail: "name is required" });
  });

  it("delivers published messages to the greeter's subscriber", async () => {
    const instance = await sandbox.startGreeter();
    const greeter = createGreeterClient(sandbox.client, "greeter");
    await greeter.hello({ name: "Published by Hello" });
    await instance.waitFor(/greeted Published by Hello \(topic greeter\.greeted\)/, 5000);
    await sandbox.client.publish(GreetedTopic, {
      name: "Published by a test",
      atUnixMs: Date.now(),
    });
    await instance.waitFor(/greeted Published by a test/, 5000);
  });

  it("shares load between two instances and loses no call when one is killed", async () => {
    const first = await sandbox.startGreeter();
    const second = await sandbox.startGreeter();
    const killAfter = sleep(1500).then(() => first.stop("SIGKILL"));
    const result = await helloLoad(
      sandbox,
      8,
      killAfter.then(() => sleep(1500)),
    );
    console.log(
      `kill -9 under load: ${result.calls} calls, ${result.failures.length} failed, served by ${JSON.stringify(Object.fromEntries(result.servedBy))}`,
    );
    expect(result.failures).toEqual([]);
    expect(result.servedBy.get(String(first.pid))).toBeGreaterThan(10);
    expect(result.servedBy.get(String(second.pid))).toBeGreaterThan(10);
    expect(result.calls).toBeGreaterThan(100);
  });

  it("fails no in-flight call when an instance gets SIGTERM under load", async () => {
    const first = await sandbox.startGreeter();
    await sandbox.startGreeter();
    let exitCode: number | string | undefined;
    const stopAfter = sleep(1500).then(async () => {
      exitCode = await first.stop("SIGTERM");
    });
    const result = await helloLoad(
      sandbox,
      8,
      stopAfter.then(() => sleep(1000)),
    );
    console.log(`SIGTERM under load: ${result.calls} calls, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(exitCode).toBe(0);
    expect(first.output()).toMatch(/stopping signal=SIGTERM[\s\S]*stopped/);
    expect(result.calls).toBeGreaterThan(100);
  });
});

describe("examples/greeter when it cannot start", () => {
  it("says why in one line, releases what started and exits 1", async () => {
    // A port nobody listens on: the etcd registry retries for the connect timeout, then
    // start fails after the local broker already listens, which must not keep it alive.
    const { port, close } = await closedPort();
    await close();
    const { code, output } = await greeterUntilExit({
      MICRO_REGISTRY: "etcd",
      MICRO_REGISTRY_ADDRESS: `127.0.0.1:${port}`,
      MICRO_CONNECT_TIMEOUT: "500ms",
    });
    expect(code).toBe(1);
    expect(output).toMatch(/ERROR \[greeter\] cannot start .*start etcd there/);
    expect(output).toContain(`127.0.0.1:${port} within 500 ms`);
    expect(output).not.toMatch(/^\s+at /m); // no stack trace
  });

  it("names a bad MICRO_* value in one line and exits 1", async () => {
    const { code, output } = await greeterUntilExit({ MICRO_TRANSPORT: "carrier-pigeon" });
    expect(code).toBe(1);
    expect(output.trim().split("\n")).toEqual([
      expect.stringMatching(
        /ERROR cannot start error=MICRO_TRANSPORT=carrier-pigeon is not supported; use one of: http, grpc/,
      ),
    ]);
  });
});

/** Runs the greeter's main with `env` until it exits (killed after 20 s: "hung"). */
async function greeterUntilExit(
  env: Record<string, string>,
): Promise<{ code: number | string | null; output: string }> {
  const running = start(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "examples/greeter/src/main.ts"],
    { cwd: root, env },
  );
  const code = await Promise.race([running.exited, sleep(20_000).then(() => "hung")]);
  if (code === "hung") await running.stop("SIGKILL");
  return { code, output: running.output() };
}

/** A loopback port that was free a moment ago. */
async function closedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../e2e/lib/greeter.js";
import { type Running, start } from "../e2e/lib/process.js";
import { type GatewaySandbox, createGatewaySandbox } from "./lib/gateway-sandbox.js";

const run = promisify(execFile);
const micro = ["--conditions=source", "--import", "tsx", "bin/micro.ts"];

/** Runs `micro` with `args` where it is expected to fail: its exit code and stderr. */
function microFailure(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, [...micro, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => error,
  );
}

/** A greeter and `micro api` with `flags` over the local registry, ready at `url`. */
async function startApi(flags: readonly string[], ready: RegExp) {
  const sandbox = await createGatewaySandbox("local");
  await sandbox.startGreeter();
  const api = start(process.execPath, [...micro, "api", "--address", "127.0.0.1:0", ...flags], {
    cwd: root,
    env: sandbox.env,
  });
  const [, address] = await api.waitFor(ready);
  return { sandbox, api, url: `http://${address}` };
}

// `micro api` as its own process, over a real greeter, called with curl and fetch.
describe("micro api", () => {
  let sandbox: GatewaySandbox;
  let api: Running;
  let url: string;

  beforeAll(async () => {
    ({ sandbox, api, url } = await startApi(
      ["--cors", "https://app.example"],
      /gateway at http:\/\/(\S+)\//,
    ));
  });
  afterAll(async () => {
    await api?.stop("SIGKILL");
    await sandbox?.close();
  });

  it("routes a curl request to the greeter by path and by its http rule", async () => {
    const { stdout } = await run("curl", [
      "-sS",
      "-H",
      "content-type: application/json",
      "-d",
      '{"name":"Ada"}',
      `${url}/greeter/hello`,
    ]);
    expect(JSON.parse(stdout)).toEqual({ message: "Hello Ada" });
    const response = await fetch(`${url}/v1/greeter/hello`, {
      method: "POST",
      body: '{"name":"Bo"}',
      headers: { origin: "https://app.example" },
    });
    expect(await response.json()).toEqual({ message: "Hello Bo" });
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  it("streams with curl -N as SSE, and lists services at /", async () => {
    const { stdout } = await run("curl", [
      "-sSN",
      "-d",
      '{"name":"Cy","count":2}',
      `${url}/greeter/stream`,
    ]);
    expect(stdout).toContain('data: {"message":"Hello Cy (2/2)","index":1}');
    const index = (await (await fetch(`${url}/`)).json()) as { services: { name: string }[] };
    expect(index.services.map((s) => s.name)).toContain("greeter");
  });

  it("stops cleanly on SIGTERM", async () => {
    expect(await api.stop("SIGTERM")).toBe(0);
  });

  it("rejects a bad --address or --cors with a message and a non-zero exit", async () => {
    const bad = await microFailure(["api", "--address", "nowhere"], sandbox.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--address=nowhere is not an address");
    const cors = await microFailure(["api", "--cors", "app.example"], sandbox.env);
    expect(cors.stderr).toContain("is not an origin");
  });
});

/** The gateway worker processes `micro api --workers` forked (its tsx helper left out). */
function workerPids(primary: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return (
          parent === primary && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("micro.ts")
        );
      } catch {
        return false; // exited while listed
      }
    })
    .map(Number);
}

/** CPU ms a process has used (user + system), from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** POSTs JSON on a connection of its own, so the primary hands each call to a worker in turn. */
function postOnNewConnection(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/greeter/hello`, { method: "POST", agent: false }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("micro api --workers", () => {
  let sandbox: GatewaySandbox;
  let api: Running;
  let url: string;

  beforeAll(async () => {
    ({ sandbox, api, url } = await startApi(
      ["--workers", "2"],
      /gateway at http:\/\/(\S+)\/.*2 worker processes/,
    ));
  });
  afterAll(async () => {
    await api?.stop("SIGKILL");
    await sandbox?.close();
  });

  it("serves one port from two processes, both taking calls", async () => {
    const workers = workerPids(api.child.pid as number);
    expect(workers).toHaveLength(2);
    const before = workers.map(cpuMs);
    for (let n = 0; n < 200; n++) {
      expect(JSON.parse(await postOnNewConnection(url, `{"name":"w${n}"}`))).toEqual({
        message: `Hello w${n}`,
      });
    }
    const used = workers.map((pid, i) => cpuMs(pid) - (before[i] as number));
    // Connections go to the workers in turn: each served about half of the 200 calls.
    for (const ms of used) expect(ms).toBeGreaterThanOrEqual(20);
  });

  it("replaces a worker that dies, and keeps serving meanwhile", async () => {
    const [victim, survivor] = workerPids(api.child.pid as number) as [number, number];
    process.kill(victim, "SIGKILL");
    await api.waitFor(new RegExp(`worker ${victim} exited \\(SIGKILL\\); starting another`));
    expect(JSON.parse(await postOnNewConnection(url, '{"name":"after"}'))).toEqual({
      message: "Hello after",
    });
    await expect
      .poll(() => workerPids(api.child.pid as number).filter((pid) => pid !== survivor), {
        timeout: 20_000,
      })
      .toHaveLength(1);
  });

  it("drains every worker and exits 0 on SIGTERM", async () => {
    const workers = workerPids(api.child.pid as number);
    expect(await api.stop("SIGTERM")).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });

  it("fails to start on a port in use with one clear line and exit 1, workers or not", async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
    try {
      for (const verb of [["api"], ["api", "--workers", "2"], ["web"]]) {
        const failed = await microFailure([...verb, "--address", address], sandbox.env);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toContain(
          `micro ${verb[0]}: cannot listen on ${address}: another process listens there`,
        );
        expect(failed.stderr).not.toMatch(/^\s+at /m);
      }
    } finally {
      taken.close();
    }
  });

  it("rejects --workers that is not a whole number from 1 to 256", async () => {
    for (const value of ["0", "two", "1.5", "257"]) {
      const bad = await microFailure(["api", "--workers", value], sandbox.env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`--workers "${value}" must be a whole number from 1 to 256`);
    }
  });
});

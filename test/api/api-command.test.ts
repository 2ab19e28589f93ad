import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../e2e/lib/greeter.js";
import { type Running, start } from "../e2e/lib/process.js";
import { type GatewaySandbox, createGatewaySandbox } from "./lib/gateway-sandbox.js";

const run = promisify(execFile);
const micro = ["--conditions=source", "--import", "tsx", "bin/micro.ts"];

// `micro api` as its own process, over a real greeter, called with curl and fetch.
describe("micro api", () => {
  let sandbox: GatewaySandbox;
  let api: Running;
  let url: string;

  beforeAll(async () => {
    sandbox = await createGatewaySandbox("local");
    await sandbox.startGreeter();
    api = start(
      process.execPath,
      [...micro, "api", "--address", "127.0.0.1:0", "--cors", "https://app.example"],
      { cwd: root, env: sandbox.env },
    );
    const [, address] = await api.waitFor(/gateway at http:\/\/(\S+)\//);
    url = `http://${address}`;
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
    const bad = await run(process.execPath, [...micro, "api", "--address", "nowhere"], {
      cwd: root,
      env: { ...process.env, ...sandbox.env },
    }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in bad && bad.code).toBe(1);
    expect(bad.stderr).toContain("--address=nowhere is not an address");
    const cors = await run(process.execPath, [...micro, "api", "--cors", "app.example"], {
      cwd: root,
      env: { ...process.env, ...sandbox.env },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(cors.stderr).toContain("is not an origin");
  });
});

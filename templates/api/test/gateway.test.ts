import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Registry, type Service, createLocalRegistry } from "@micro-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../src/config.js";
import { type RunningGateway, startGateway } from "../src/gateway.js";
import { startEcho } from "./echo-service.js";

// The gateway as `npm start` runs it, in front of a real service in a registry of its own.
describe("the gateway", () => {
  const directory = mkdtempSync(join(tmpdir(), "gateway-test-"));
  let registry: Registry;
  let echo: Service;
  let open: RunningGateway;
  let locked: RunningGateway;

  beforeAll(async () => {
    registry = createLocalRegistry({ directory, pollInterval: 100 });
    echo = await startEcho(registry);
    const env = { MICRO_API_ADDRESS: "127.0.0.1:0", CORS_ORIGINS: "http://app.test" };
    open = await startGateway(readConfig(env), registry);
    locked = await startGateway(readConfig({ ...env, API_TOKEN: "s3cret" }), registry);
  });

  afterAll(async () => {
    await open?.close();
    await locked?.close();
    await echo?.stop();
    await registry?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const post = (gateway: RunningGateway, path: string, body: unknown, headers = {}) =>
    fetch(`http://${gateway.address}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("calls a service by POST /<service>/<method> and by its google.api.http route", async () => {
    const byPath = await post(open, "/echo/say", { text: "hi" });
    expect(byPath.status).toBe(200);
    expect(await byPath.json()).toEqual({ text: "hi" });
    const byRule = await fetch(`http://${open.address}/v1/echo/there`);
    expect(await byRule.json()).toEqual({ text: "there" });
  });

  it("lists the services and serves an OpenAPI document", async () => {
    const index = await (await fetch(`http://${open.address}/`)).text();
    expect(index).toContain("echo");
    const openapi = (await (await fetch(`http://${open.address}/openapi.json`)).json()) as {
      openapi: string;
    };
    expect(openapi.openapi).toMatch(/^3\.1/);
  });

  it("answers a CORS preflight for a configured origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`http://${open.address}/echo/say`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const allowed = await preflight("http://app.test");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.test");
    const other = await preflight("http://elsewhere.test");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a request without the token when one is configured (the auth hook)", async () => {
    const anonymous = await post(locked, "/echo/say", { text: "hi" });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { detail: string }).detail).toContain("bearer token");
    const signed = await post(
      locked,
      "/echo/say",
      { text: "hi" },
      { authorization: "Bearer s3cret" },
    );
    expect(await signed.json()).toEqual({ text: "hi (authenticated)" });
  });

  it("maps errors to HTTP: unknown service 404, bad JSON 400", async () => {
    expect((await post(open, "/nobody/say", {})).status).toBe(404);
    const bad = await fetch(`http://${open.address}/echo/say`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(bad.status).toBe(400);
  });
});

import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GreeterProcess, type Sandbox, createSandbox, root } from "../e2e/lib/greeter.js";
import { type Running, start } from "../e2e/lib/process.js";
import { launchChromium, pageErrors, screenshot } from "./lib/browser.js";

// The dashboard as a user runs it (`micro web`, a real process), over a real greeter
// process and a real browser: the page lists what the registry holds, calls through the
// gateway, publishes on the broker, and follows services as they start and stop.
describe("micro web in a browser", () => {
  let sandbox: Sandbox;
  let greeter: GreeterProcess;
  let web: Running;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    sandbox = createSandbox();
    greeter = await sandbox.startGreeter();
    web = start(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "bin/micro.ts", "web", "--address", "127.0.0.1:0"],
      { cwd: root, env: { MICRO_REGISTRY_ADDRESS: sandbox.registryDirectory, NO_COLOR: "1" } },
    );
    const [, address] = await web.waitFor(/dashboard at http:\/\/(\S+)\//);
    url = `http://${address}/`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = pageErrors(page);
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    expect(await web?.stop("SIGTERM")).toBe(0);
    await sandbox?.close();
  });

  it("lists the greeter with its node, endpoints, field schemas and topic", async () => {
    const card = page.locator('[data-service="greeter"]');
    await card.waitFor();
    await expect.poll(() => page.locator("#live").textContent()).toBe("live");
    expect(await card.locator("h3").textContent()).toBe("greeter1.0.0");
    expect(await card.textContent()).toContain(greeter.address);
    expect(await card.textContent()).toContain("transport=http");
    const hello = card.locator('[data-endpoint="Greeter.Hello"]');
    expect(await hello.textContent()).toContain("POST /v1/greeter/hello");
    expect(await hello.textContent()).toContain("greeter.v1.HelloRequestname string");
    expect(await card.locator("[data-endpoint]").count()).toBe(4);
    const topic = page.locator('[data-topic="greeter.greeted"]');
    expect(await topic.locator("td").nth(1).textContent()).toBe("1");
    await screenshot(page, "dashboard-greeter");
    expect(errors).toEqual([]);
  });

  it("calls Greeter.Hello from the form through the gateway and shows the reply", async () => {
    await page.locator('[data-endpoint="Greeter.Hello"] button').click();
    expect(await page.locator("#call-request").inputValue()).toBe('{\n  "name": ""\n}');
    await page.locator("#call-request").fill('{"name":"Ada"}');
    await page.locator("#call-send").click();
    const result = page.locator("#call-result");
    await expect.poll(() => result.textContent()).toContain('"message": "Hello Ada"');
    expect(await result.getAttribute("data-outcome")).toBe("ok");
    await screenshot(page, "dashboard-call");
  });

  it("shows a service's error with its status, and bad JSON before sending", async () => {
    await page.locator("#call-request").fill('{"name":""}');
    await page.locator("#call-send").click();
    const result = page.locator("#call-result");
    await expect.poll(() => result.getAttribute("data-outcome")).toBe("error");
    expect(await result.textContent()).toMatch(/^400 .*name/);
    await page.locator("#call-request").fill("{nope");
    await page.locator("#call-send").click();
    await expect.poll(() => result.textContent()).toContain("the request is not JSON");
    // The browser logs the 400 it was meant to get; nothing else went wrong.
    expect(errors).toEqual([expect.stringContaining("status of 400")]);
    errors.length = 0;
  });

  it("streams a server-streaming call's messages as they come", async () => {
    await page.locator('[data-endpoint="Greeter.Stream"] button').click();
    await page.locator("#call-request").fill('{"name":"Ada","count":3}');
    await page.locator("#call-send").click();
    const result = page.locator("#call-result");
    await expect.poll(() => result.textContent()).toContain("Hello Ada (3/3)");
    expect((await result.textContent())?.trim().split("\n")).toHaveLength(3);
  });

  it("publishes JSON on a topic, and the greeter's subscriber gets it", async () => {
    await page.locator("#publish-topic").fill("greeter.greeted");
    await page.locator("#publish-message").fill('{"name":"Grace"}');
    await page.locator("#publish-send").click();
    await expect
      .poll(() => page.locator("#publish-result").textContent())
      .toBe("published to greeter.greeted (1 subscription)");
    await greeter.waitFor(/greeted Grace \(topic greeter\.greeted\)/);
  });

  it("proxies /<name>/ to a web app registered under micro.web.", async () => {
    const app: Server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<h1 id="app">app at ${req.url} behind ${req.headers["x-forwarded-prefix"]}</h1>`);
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const record = {
      name: "micro.web.demo",
      version: "latest",
      metadata: {},
      endpoints: [],
      nodes: [
        {
          id: "micro.web.demo-1",
          address: `127.0.0.1:${(app.address() as AddressInfo).port}`,
          metadata: {},
        },
      ],
    };
    try {
      await sandbox.registry.register(record);
      const link = page.locator('#webapps a[href="/demo/"]');
      await link.waitFor();
      // Web apps are not RPC services: the services list stays as it was.
      expect(await page.locator("[data-service]").count()).toBe(1);
      await link.click();
      expect(await page.locator("#app").textContent()).toBe("app at / behind /demo");
      await page.goto(`${url}demo`);
      expect(page.url()).toBe(`${url}demo/`);
      await page.goto(`${url}nothing/`);
      expect(await page.locator("body").textContent()).toContain("no web app micro.web.nothing");
      expect(errors).toEqual([expect.stringContaining("status of 404")]);
      errors.length = 0;
    } finally {
      await sandbox.registry.deregister(record);
      app.close();
      await page.goto(url);
    }
  });

  it("updates live as greeters start and stop", async () => {
    const card = page.locator('[data-service="greeter"]');
    await card.waitFor();
    const second = await sandbox.startGreeter();
    await expect.poll(() => card.locator("h4").first().textContent()).toBe("2 nodes");
    expect(await card.textContent()).toContain(second.address);
    await screenshot(page, "dashboard-two-nodes");
    expect(await second.stop("SIGTERM")).toBe(0);
    await expect.poll(() => card.locator("h4").first().textContent()).toBe("1 node");
    expect(await greeter.stop("SIGTERM")).toBe(0);
    await expect.poll(() => page.locator("[data-service]").count()).toBe(0);
    expect(await page.locator("#services").textContent()).toBe("no services registered");
    expect(await page.locator("#call-send").isDisabled()).toBe(true);
    await screenshot(page, "dashboard-empty");
    expect(errors).toEqual([]);
  });
});

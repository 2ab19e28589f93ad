import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type BrokerMessage,
  LOCAL_BROKER_SERVICE,
  type ServiceRecord,
  createClient,
  createHttpTransport,
  createMemoryBroker,
  createMemoryRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { createApiGateway } from "@micro-ts/runtime/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micro } from "../generate/lib/fixture-project.js";
import { type Dashboard, createDashboard } from "../../src/web/dashboard.js";
import { dashboardView } from "../../src/web/dashboard-view.js";

const record = (name: string, nodes: ServiceRecord["nodes"]): ServiceRecord => ({
  name,
  version: "latest",
  metadata: {},
  endpoints: [],
  nodes,
});

describe("dashboardView", () => {
  it("splits records into services, topics (from the local broker's nodes) and web apps", () => {
    const view = dashboardView(
      [
        record("zeta", [{ id: "z1", address: "127.0.0.1:3", metadata: {} }]),
        record(LOCAL_BROKER_SERVICE, [
          { id: "s1", address: "127.0.0.1:7", metadata: { topic: "b.t", queue: "" } },
          { id: "s2", address: "127.0.0.1:8", metadata: { topic: "a.t", queue: "workers" } },
          { id: "s3", address: "127.0.0.1:9", metadata: { topic: "b.t", queue: "" } },
        ]),
        record("micro.web.blog", [{ id: "w1", address: "127.0.0.1:5", metadata: {} }]),
        record("micro.web.", [{ id: "w0", address: "127.0.0.1:6", metadata: {} }]),
        record("alpha", [{ id: "a1", address: "127.0.0.1:4", metadata: {} }]),
      ],
      "micro.web.",
    );
    // A bare namespace is no app name: it stays a service.
    expect(view.services.map((s) => s.name)).toEqual(["alpha", "micro.web.", "zeta"]);
    expect(view.topics.map((t) => [t.topic, t.subscriptions.map((s) => s.id)])).toEqual([
      ["a.t", ["s2"]],
      ["b.t", ["s1", "s3"]],
    ]);
    expect(view.topics[0]?.subscriptions[0]?.queue).toBe("workers");
    expect(view.webApps).toEqual([
      {
        name: "blog",
        service: "micro.web.blog",
        nodes: [{ id: "w1", address: "127.0.0.1:5", metadata: {} }],
      },
    ]);
  });
});

describe("the dashboard over HTTP", () => {
  const registry = createMemoryRegistry();
  const broker = createMemoryBroker();
  const selector = createSelector({ registry });
  const client = createClient({ transport: createHttpTransport({ codec: "json" }), selector });
  const gateway = createApiGateway({ registry, client });
  let dashboard: Dashboard;
  let base: string;
  const received: BrokerMessage[] = [];

  beforeAll(async () => {
    await broker.connect();
    await broker.subscribe("orders.created", (message) => {
      received.push(message);
    });
    dashboard = createDashboard({ registry, broker, gateway, maxPublishBytes: 256 });
    base = `http://${await dashboard.listen("127.0.0.1:0")}`;
  });

  afterAll(async () => {
    await dashboard.close();
    await gateway.close();
    await client.close();
    await selector.close();
    await broker.disconnect();
    await registry.close();
  });

  const publish = (body: string) =>
    fetch(`${base}/publish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });

  it("publishes a JSON message with content-type application/json", async () => {
    const response = await publish(JSON.stringify({ topic: "orders.created", message: { id: 7 } }));
    expect(response.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]?.header["content-type"]).toBe("application/json");
    expect(received[0]?.header["micro-topic"]).toBe("orders.created");
    expect(JSON.parse(new TextDecoder().decode(received[0]?.body))).toEqual({ id: 7 });
  });

  it("refuses bad publish requests (and cross-site form posts) with a micro error", async () => {
    const cases: [string, number, string][] = [
      ["{nope", 400, "the body is not JSON"],
      [JSON.stringify({ message: {} }), 400, '"topic"'],
      [JSON.stringify({ topic: "t", message: [1] }), 400, '"message": a JSON object'],
      [JSON.stringify({ topic: "t", message: { pad: "x".repeat(300) } }), 413, "256 bytes"],
    ];
    for (const [body, status, detail] of cases) {
      const response = await publish(body);
      expect(response.status, body).toBe(status);
      const error = (await response.json()) as { id: string; code: number; detail: string };
      expect(error.id).toBe("micro.web");
      expect(error.code).toBe(status);
      expect(error.detail).toContain(detail);
    }
    expect((await fetch(`${base}/publish`)).status).toBe(405);
    const plain = await fetch(`${base}/publish`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ topic: "orders.created", message: {} }),
    });
    expect(plain.status).toBe(415);
    expect(received).toHaveLength(1);
  });

  it("mounts the gateway under /api, and answers 404 for an unknown path", async () => {
    const index = await fetch(`${base}/api/`);
    expect(index.status).toBe(200);
    expect(await index.json()).toEqual({ services: [] });
    const missing = await fetch(`${base}/api/nobody/call`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(404);
    const unknown = await fetch(`${base}/nowhere/deep`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain("micro.web.nowhere");
  });

  it("serves the page and its files, nothing else from the static folder", async () => {
    expect((await fetch(`${base}/`)).headers.get("content-type")).toContain("text/html");
    expect((await fetch(`${base}/static/dashboard.js`)).status).toBe(200);
    expect((await fetch(`${base}/static/../dashboard.ts`)).status).toBe(404);
    expect((await fetch(`${base}/static/index.html.bak`)).status).toBe(404);
  });

  it("answers 502 when a registered web app does not answer", async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    const app = record("micro.web.gone", [
      { id: "g1", address: `127.0.0.1:${closed}`, metadata: {} },
    ]);
    await registry.register(app);
    const response = await fetch(`${base}/gone/`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain(`web app gone at 127.0.0.1:${closed} did not answer`);
    await registry.deregister(app);
  });
});

describe("micro web on the command line", () => {
  it("prints its help, and refuses a bad address with exit 1", async () => {
    const help = await micro(["web", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: micro web [--address host:port] [--namespace prefix]");
    const bad = await micro(["web", "--address", "nowhere"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--address=nowhere is not an address");
  });
});

describe("a dashboard with its own web namespace", () => {
  it("proxies /<name>/ to <namespace><name>, path and query, with the prefix header", async () => {
    const registry = createMemoryRegistry();
    const app = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ url: req.url, prefix: req.headers["x-forwarded-prefix"] }));
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(app.address() as AddressInfo).port}`;
    await registry.register(record("apps.blog", [{ id: "b1", address, metadata: {} }]));
    const dashboard = createDashboard({
      registry,
      broker: createMemoryBroker(),
      gateway: { handle: (_req, res) => res.writeHead(500).end() },
      webNamespace: "apps.",
    });
    try {
      const base = `http://${await dashboard.listen("127.0.0.1:0")}`;
      const response = await fetch(`${base}/blog/posts/1?draft=yes`);
      expect(await response.json()).toEqual({ url: "/posts/1?draft=yes", prefix: "/blog" });
      const redirect = await fetch(`${base}/blog?x=1`, { redirect: "manual" });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get("location")).toBe("/blog/?x=1");
      const view = (await (await fetch(`${base}/view.json`)).json()) as { webApps: unknown[] };
      expect(view.webApps).toEqual([
        { name: "blog", service: "apps.blog", nodes: [{ id: "b1", address, metadata: {} }] },
      ]);
    } finally {
      await dashboard.close();
      app.close();
      await registry.close();
    }
  });
});

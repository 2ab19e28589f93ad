import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Broker, MicroError, type Registry, parseAddress } from "@micro-ts/runtime";
import { DEFAULT_WEB_NAMESPACE } from "./dashboard-view.js";
import { createLiveView } from "./live-view.js";
import { BodyTooLargeError, readBody } from "./read-body.js";
import { publicDirectory, staticFile } from "./static-files.js";
import { createWebProxy } from "./web-proxy.js";

/** Anything that serves HTTP as a node:http handler: here, the API gateway. */
export interface HttpHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** Options of `createDashboard`. */
export interface DashboardOptions {
  /** Where services, topics and web apps are read from (and watched). */
  readonly registry: Registry;
  /** Publishes the messages of the page's publish form (JSON, `content-type: application/json`). */
  readonly broker: Broker;
  /** The API gateway, mounted under `/api`: the page's call form goes through it. */
  readonly gateway: HttpHandler;
  /** Services named `<namespace><name>` are web apps proxied at `/<name>/`. Default `micro.web.`. */
  readonly webNamespace?: string;
  /** Largest publish request body in bytes. Default 1 MiB. */
  readonly maxPublishBytes?: number;
}

/** The `micro web` dashboard: a node:http handler with its own listener for convenience. */
export interface Dashboard {
  /** Serves one request; mount it anywhere with a node:http server. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Listens on `host:port` (`:8082` for all interfaces) and resolves to the bound address. */
  listen(address: string): Promise<string>;
  /** Ends the live streams and stops the listener, if any; the registry and broker stay open. */
  close(): Promise<void>;
}

const DASHBOARD_ID = "micro.web";

/**
 * Creates the dashboard: the page (`/`), its files (`/static/*`), the live view as
 * Server-Sent Events (`/events`) and as JSON (`/view.json`), the publish form's endpoint
 * (`POST /publish`), the gateway under `/api/`, and every other `/<name>/` proxied to the
 * web app registered as `<namespace><name>`. A web app named like one of the dashboard's
 * own paths (api, static, events, view.json, publish) is shadowed by it.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const webNamespace = options.webNamespace ?? DEFAULT_WEB_NAMESPACE;
  const maxPublishBytes = options.maxPublishBytes ?? 1024 * 1024;
  const directory = publicDirectory();
  const live = createLiveView({ registry: options.registry, webNamespace });
  const proxy = createWebProxy({ registry: options.registry, webNamespace });
  let server: Server | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const path = url.replace(/\?.*$/, "");
    const [, first = "", rest = ""] = /^\/([^/]*)(.*)$/.exec(path) ?? [];
    if (first === "api") {
      req.url = url.slice("/api".length) || "/";
      if (req.url.startsWith("?")) req.url = `/${req.url}`;
      options.gateway.handle(req, res);
      return;
    }
    if (first === "" && isRead(req)) return sendFile(res, "index.html");
    if (first === "favicon.ico" && rest === "") {
      res.writeHead(204).end();
      return;
    }
    if (first === "static" && isRead(req)) return sendFile(res, rest.slice(1));
    if (first === "events" && rest === "" && isRead(req)) return live.subscribe(res);
    if (first === "view.json" && rest === "" && isRead(req)) {
      return sendJson(res, 200, await live.current());
    }
    if (first === "publish" && rest === "") {
      if (req.method !== "POST") return sendJson(res, 405, errorBody(405, "use POST"));
      return publish(req, res);
    }
    if (first !== "" && (await proxy.handle(req, res, decodeURIComponent(first), rest))) {
      return;
    }
    sendJson(
      res,
      404,
      errorBody(404, `nothing at ${path}: no web app ${webNamespace}${first} is registered`),
    );
  }

  async function sendFile(res: ServerResponse, name: string): Promise<void> {
    const file = await staticFile(directory, name);
    if (file === undefined) return sendJson(res, 404, errorBody(404, `no file ${name}`));
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-cache" }).end(file.body);
  }

  async function publish(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A form on another site can POST text/plain without asking; JSON needs a preflight,
    // which the dashboard never grants, so only its own page can publish.
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      return sendJson(res, 415, errorBody(415, "send the body as content-type: application/json"));
    }
    let input: unknown;
    try {
      input = JSON.parse((await readBody(req, maxPublishBytes)).toString("utf8"));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendJson(res, 413, errorBody(413, error.message));
      }
      return sendJson(
        res,
        400,
        errorBody(400, `the body is not JSON: ${(error as Error).message}`),
      );
    }
    const { topic, message } = (input ?? {}) as { topic?: unknown; message?: unknown };
    if (typeof topic !== "string" || topic === "") {
      return sendJson(res, 400, errorBody(400, 'the body needs "topic": a non-empty string'));
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      return sendJson(res, 400, errorBody(400, 'the body needs "message": a JSON object'));
    }
    await options.broker.publish(topic, {
      header: {
        "content-type": "application/json",
        "micro-topic": topic,
        "micro-id": randomUUID(),
      },
      body: new TextEncoder().encode(JSON.stringify(message)),
    });
    const view = await live.current();
    const subscriptions = view.topics.find((t) => t.topic === topic)?.subscriptions.length ?? 0;
    sendJson(res, 200, { topic, subscriptions });
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const failure = MicroError.from(error, DASHBOARD_ID);
      sendJson(res, failure.code, failure.toJSON());
    });
  };

  return {
    handle,
    async listen(address) {
      if (server) throw new Error("the dashboard is already listening");
      const { host, port } = parseAddress("--address", address);
      const listening = createServer(handle);
      await new Promise<void>((resolve, reject) => {
        listening.once("error", reject);
        listening.listen(port, host, () => {
          listening.off("error", reject);
          resolve();
        });
      });
      server = listening;
      const bound = listening.address() as AddressInfo;
      return bound.family === "IPv6"
        ? `[${bound.address}]:${bound.port}`
        : `${bound.address}:${bound.port}`;
    },
    async close() {
      live.close();
      const closing = server;
      server = undefined;
      if (closing) {
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
      }
    },
  };
}

function isRead(req: IncomingMessage): boolean {
  return req.method === "GET" || req.method === "HEAD";
}

/** Errors have the shape the gateway and services use: a micro error's JSON. */
function errorBody(code: number, detail: string) {
  return new MicroError(DASHBOARD_ID, code, detail).toJSON();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

import { type IncomingMessage, type ServerResponse, request as httpRequest } from "node:http";
import type { Registry, ServiceNode } from "@micro-ts/runtime";

/** Options of `createWebProxy`. */
export interface WebProxyOptions {
  readonly registry: Registry;
  /** Prefix of the services that are web apps, e.g. `micro.web.`. */
  readonly webNamespace: string;
  /** Picks the node of a request; default random, so the nodes of an app share the load. */
  readonly pick?: (nodes: readonly ServiceNode[]) => ServiceNode;
}

/**
 * Reverse proxy to web apps, as micro's web UI does: `/<name>/rest` goes to a node of the
 * service `<namespace><name>` as `/rest`, with `x-forwarded-prefix: /<name>` so the app can
 * build absolute links. `/<name>` redirects to `/<name>/` so the app's relative links work.
 */
export interface WebProxy {
  /**
   * Proxies the request to app `name` as path `rest` (the path after `/<name>`, without the
   * query, which is taken from `req.url`); resolves false when no such app is registered.
   */
  handle(req: IncomingMessage, res: ServerResponse, name: string, rest: string): Promise<boolean>;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Creates the proxy; it reads the registry on every request, so it follows apps as they come and go. */
export function createWebProxy(options: WebProxyOptions): WebProxy {
  const pick =
    options.pick ?? ((nodes) => nodes[Math.floor(Math.random() * nodes.length)] as ServiceNode);
  return {
    async handle(req, res, name, rest) {
      const records = await options.registry.getService(`${options.webNamespace}${name}`);
      const nodes = records.flatMap((record) => record.nodes);
      if (nodes.length === 0) return false;
      const query = (req.url ?? "").replace(/^[^?]*/, "");
      if (rest === "") {
        res.writeHead(308, { location: `/${encodeURIComponent(name)}/${query}` }).end();
        return true;
      }
      forward(req, res, pick(nodes), name, `${rest}${query}`);
      return true;
    },
  };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  node: ServiceNode,
  name: string,
  path: string,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
  }
  headers["x-forwarded-prefix"] = `/${name}`;
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
  const [host, port] = splitAddress(node.address);
  const upstream = httpRequest({ host, port, method: req.method, path, headers }, (reply) => {
    const replyHeaders: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(reply.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(key)) replyHeaders[key] = value;
    }
    res.writeHead(reply.statusCode ?? 502, replyHeaders);
    reply.pipe(res);
  });
  upstream.on("error", (error) => {
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    res
      .writeHead(502, { "content-type": "text/plain; charset=utf-8" })
      .end(`web app ${name} at ${node.address} did not answer: ${error.message}\n`);
  });
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}

/** `host:port` or `[v6]:port` into the parts node:http wants. */
function splitAddress(address: string): [string, number] {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  return [match?.[1] || "127.0.0.1", Number(match?.[2] ?? 80)];
}

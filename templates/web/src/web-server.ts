import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";

/** Anything that serves HTTP as a node:http handler: here, the API gateway. */
export interface HttpHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** The project's root: this file is src/web-server.ts, or dist/src/web-server.js once built. */
const root = fileURLToPath(
  new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url),
);

/** What the app serves at each path: the pages from public/, the script tsc compiled. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "public/index.html", type: "text/html; charset=utf-8" },
  "/styles.css": { file: "public/styles.css", type: "text/css; charset=utf-8" },
  "/app.js": { file: "dist/browser/src/browser/app.js", type: "text/javascript; charset=utf-8" },
  "/gateway-client.js": {
    file: "dist/browser/src/browser/gateway-client.js",
    type: "text/javascript; charset=utf-8",
  },
};

/**
 * The app's HTTP handler: its pages, and the gateway under `/api` so the page calls the
 * backend on its own origin (no CORS), directly or behind `micro web`'s `/<name>/` proxy.
 */
export function createWebHandler(
  gateway: HttpHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? "/";
    if (url === "/api" || url.startsWith("/api/") || url.startsWith("/api?")) {
      req.url = url.slice("/api".length) || "/";
      gateway.handle(req, res);
      return;
    }
    const entry = FILES[url.replace(/\?.*$/, "")];
    if (entry === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end(`not found: ${url}\n`);
      return;
    }
    readFile(`${root}${entry.file}`).then(
      (body) => res.writeHead(200, { "content-type": entry.type }).end(body),
      (error: unknown) =>
        res
          .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
          .end(`cannot read ${entry.file} (did npm run build run?): ${String(error)}\n`),
    );
  };
}

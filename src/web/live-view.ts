import type { ServerResponse } from "node:http";
import type { Registry } from "@micro-ts/runtime";
import { type DashboardView, dashboardView } from "./dashboard-view.js";

/** Options of `createLiveView`. */
export interface LiveViewOptions {
  readonly registry: Registry;
  readonly webNamespace: string;
  /** Milliseconds to gather registry events into one update (a service start is several). Default 50. */
  readonly settle?: number;
  /** Milliseconds between keep-alive comments, so proxies keep idle streams open. Default 15 000. */
  readonly keepAlive?: number;
}

/**
 * The registry as the dashboard sees it, kept current by one registry watch and pushed
 * to every open page as Server-Sent Events (`event: view`, the whole view as JSON): a
 * page never polls, and a service that starts or stops shows up within one watch event.
 */
export interface LiveView {
  /** The current view, read from the registry. */
  current(): Promise<DashboardView>;
  /** Streams the view to `res` as SSE until the client goes away or the view closes. */
  subscribe(res: ServerResponse): void;
  close(): void;
}

/** Creates a live view; the registry is watched only while a page is subscribed. */
export function createLiveView(options: LiveViewOptions): LiveView {
  const { registry, webNamespace } = options;
  const settle = options.settle ?? 50;
  const keepAlive = options.keepAlive ?? 15_000;
  const clients = new Set<ServerResponse>();
  let watcher: ReturnType<Registry["watch"]> | undefined;
  let pending: NodeJS.Timeout | undefined;
  let pinger: NodeJS.Timeout | undefined;
  let closed = false;

  const current = async () => dashboardView(await registry.listServices(), webNamespace);

  const send = (res: ServerResponse, view: DashboardView) => {
    res.write(`event: view\ndata: ${JSON.stringify(view)}\n\n`);
  };

  const broadcast = () => {
    pending = undefined;
    current().then(
      (view) => {
        for (const res of clients) send(res, view);
      },
      (error: unknown) => {
        const text = JSON.stringify({ error: String(error) });
        for (const res of clients) res.write(`event: failure\ndata: ${text}\n\n`);
      },
    );
  };

  const watch = () => {
    const active = registry.watch();
    watcher = active;
    void (async () => {
      try {
        for await (const _event of active) {
          pending ??= setTimeout(broadcast, settle);
        }
      } catch (error) {
        const text = JSON.stringify({ error: `registry watch failed: ${String(error)}` });
        for (const res of clients) res.write(`event: failure\ndata: ${text}\n\n`);
      }
    })();
    pinger = setInterval(() => {
      for (const res of clients) res.write(": keep-alive\n\n");
    }, keepAlive);
  };

  const unwatch = () => {
    watcher?.stop();
    watcher = undefined;
    clearTimeout(pending);
    pending = undefined;
    clearInterval(pinger);
    pinger = undefined;
  };

  return {
    current,
    subscribe(res) {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      if (closed) {
        res.end();
        return;
      }
      clients.add(res);
      if (watcher === undefined) watch();
      res.on("close", () => {
        clients.delete(res);
        if (clients.size === 0) unwatch();
      });
      current().then(
        (view) => {
          if (clients.has(res)) send(res, view);
        },
        (error: unknown) =>
          res.write(`event: failure\ndata: ${JSON.stringify({ error: String(error) })}\n\n`),
      );
    },
    close() {
      closed = true;
      unwatch();
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

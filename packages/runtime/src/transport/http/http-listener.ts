import {
  type IncomingMessage,
  type ServerResponse,
  createServer as createH1Server,
} from "node:http";
import {
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
  createServer as createH2Server,
} from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import type { Codec } from "../../codec/codec.js";
import type { ListenOptions, TransportListener } from "../transport.js";
import { createConnectHandler } from "./connect-handler.js";

/** The HTTP/2 connection preface starts with these bytes; no HTTP/1 request does. */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** Server-side settings of the http transport (see HttpTransportOptions). */
export interface HttpListenerSettings {
  readonly codecs: ReadonlyMap<string, Codec>;
  readonly keepAliveTimeout: number;
}

/**
 * Listens on one port for both HTTP/1.1 and h2c (prior knowledge): it peeks at each
 * connection's first bytes and hands the socket to `node:http` or to a `node:http2`
 * server, so curl, browsers' fetch, undici and HTTP/2 clients all reach the
 * same handler. `close` drains: no new connections or calls, h1 responses say
 * `connection: close`, h2 sessions get GOAWAY, and what still runs at the timeout is cut.
 */
export async function listenHttp(
  options: ListenOptions,
  settings: HttpListenerSettings,
): Promise<TransportListener> {
  const { host, port } = splitAddress(options.address);
  if (!Number.isInteger(options.maxMessageBytes) || options.maxMessageBytes <= 0) {
    throw new RangeError(
      `http transport: maxMessageBytes must be a positive integer, got ${options.maxMessageBytes}`,
    );
  }
  let draining = false;
  let address = options.address;
  const handler = createConnectHandler({
    router: options.router,
    maxMessageBytes: options.maxMessageBytes,
    codecs: settings.codecs,
    draining: () => draining,
    address: () => address,
  });

  /** Every accepted socket, so a hard close can cut them. */
  const sockets = new Set<Socket>();
  /** Sockets handed to each server; the rest have not sent a byte yet. */
  const h1Sockets = new Set<Socket>();
  const h2Sockets = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();

  // The HTTP/1 server is the one listening, so Node's own connection tracking works
  // (idle keep-alive sockets, `closeIdleConnections`, header and request timeouts); its
  // connection listener is taken aside and called for the sockets that are not h2c.
  const h1 = createH1Server({ keepAliveTimeout: settings.keepAliveTimeout, noDelay: true });
  const serveH1 = h1.listeners("connection")[0] as (socket: Socket) => void;
  h1.removeAllListeners("connection");
  h1.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (draining) response.shouldKeepAlive = false;
    handler(request, response);
  });

  const h2 = createH2Server();
  h2.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => undefined);
    if (draining) session.close();
  });
  h2.on("request", (request: Http2ServerRequest, response: Http2ServerResponse) =>
    handler(request, response),
  );
  h2.on("sessionError", () => undefined);

  h1.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      h1Sockets.delete(socket);
      h2Sockets.delete(socket);
    });
    socket.on("error", () => undefined);
    // A connection that never says which protocol it speaks is dropped like an idle one.
    const silent = () => socket.destroy();
    socket.setTimeout(settings.keepAliveTimeout, silent);
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const compared = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, compared).equals(H2_PREFACE.subarray(0, compared));
      if (isH2 && compared < H2_PREFACE.length) return; // a prefix of the preface: wait
      socket.removeListener("data", onData);
      socket.setTimeout(0);
      socket.removeListener("timeout", silent);
      socket.pause();
      socket.unshift(head);
      if (draining) {
        socket.destroy();
      } else if (isH2) {
        h2Sockets.add(socket);
        h2.emit("connection", socket);
      } else {
        h1Sockets.add(socket);
        serveH1.call(h1, socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  await new Promise<void>((resolve, reject) => {
    h1.once("error", reject);
    h1.listen(port, host === "" ? undefined : host, () => {
      h1.removeListener("error", reject);
      resolve();
    });
  });
  const { port: boundPort } = h1.address() as AddressInfo;
  // A wildcard host is not dialable: point local clients at loopback.
  const dialHost = host === "" || host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  address = dialHost.includes(":") ? `[${dialHost}]:${boundPort}` : `${dialHost}:${boundPort}`;

  let closing: Promise<void> | undefined;
  async function close(timeout: number): Promise<void> {
    draining = true;
    // Stops accepting and closes idle keep-alive connections; resolves once all are gone.
    const closed = new Promise<void>((resolve) => h1.close(() => resolve()));
    for (const session of sessions) session.close();
    for (const socket of sockets) {
      if (!h1Sockets.has(socket) && !h2Sockets.has(socket)) socket.destroy();
    }
    const until = Date.now() + Math.max(0, timeout);
    while (sockets.size > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(10, until - Date.now())));
      // HTTP/1 connections whose last call just finished are idle now.
      h1.closeIdleConnections();
    }
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  return {
    address,
    close: (timeout: number) => (closing ??= close(timeout)),
  };
}

/** Splits `host:port` (`[::1]:0` for IPv6); a bad address is an error naming it. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65_535) {
    throw new RangeError(`http transport: address must be host:port, got "${address}"`);
  }
  return { host: match[1] ?? match[2] ?? "", port };
}

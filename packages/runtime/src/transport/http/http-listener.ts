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
import { type AddressInfo, type Socket, createServer as createNetServer } from "node:net";
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
 * Listens on one port for both HTTP/1.1 and h2c (prior knowledge): a plain TCP server
 * peeks at each connection's first bytes and hands the socket to a `node:http` or a
 * `node:http2` server, so curl, browsers' fetch, undici and HTTP/2 clients all reach the
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
  /** Calls in flight per HTTP/1 socket: an idle one is closed at once when draining. */
  const h1Active = new Map<Socket, number>();
  /** HTTP/1 responses in flight: at close, those not yet started are told `connection: close`. */
  const h1Responses = new Set<ServerResponse>();
  const sessions = new Set<ServerHttp2Session>();
  /** Sockets handed to the HTTP/2 server: they drain through their session's GOAWAY. */
  const h2Sockets = new Set<Socket>();

  const h1 = createH1Server({ keepAliveTimeout: settings.keepAliveTimeout });
  h1.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    h1Active.set(socket, (h1Active.get(socket) ?? 0) + 1);
    if (draining) response.shouldKeepAlive = false;
    h1Responses.add(response);
    response.once("close", () => {
      h1Responses.delete(response);
      const left = (h1Active.get(socket) ?? 1) - 1;
      h1Active.set(socket, left);
      if (draining && left === 0) socket.destroySoon();
    });
    handler(request, response);
  });
  h1.on("clientError", (_error: Error, socket: Socket) => socket.destroy());

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

  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      h1Active.delete(socket);
      h2Sockets.delete(socket);
    });
    socket.on("error", () => undefined);
    if (draining) {
      socket.destroy();
      return;
    }
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const compared = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, compared).equals(H2_PREFACE.subarray(0, compared));
      if (isH2 && compared < H2_PREFACE.length) return; // a prefix of the preface: wait
      socket.removeListener("data", onData);
      socket.pause();
      socket.unshift(head);
      if (draining) {
        socket.destroy();
      } else if (isH2) {
        h2Sockets.add(socket);
        h2.emit("connection", socket);
      } else {
        h1Active.set(socket, 0);
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host === "" ? undefined : host, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  // A wildcard host is not dialable: point local clients at loopback.
  const dialHost = host === "" || host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  address = dialHost.includes(":") ? `[${dialHost}]:${boundPort}` : `${dialHost}:${boundPort}`;

  let closing: Promise<void> | undefined;
  async function close(timeout: number): Promise<void> {
    draining = true;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.close();
    for (const response of h1Responses) if (!response.headersSent) response.shouldKeepAlive = false;
    for (const socket of sockets) {
      const active = h1Active.get(socket);
      // Idle keep-alive connections, and connections that never sent a byte, go now.
      if (active === 0 || (active === undefined && !h2Sockets.has(socket))) socket.destroy();
    }
    await waitFor(() => sockets.size === 0, timeout);
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
    await serverClosed;
  }

  return {
    address,
    close: (timeout: number) => (closing ??= close(timeout)),
  };
}

/** Polls `done` until it holds or `timeout` ms pass. */
async function waitFor(done: () => boolean, timeout: number): Promise<void> {
  const until = Date.now() + Math.max(0, timeout);
  while (!done() && Date.now() < until) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(10, Math.max(1, until - Date.now()))),
    );
  }
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

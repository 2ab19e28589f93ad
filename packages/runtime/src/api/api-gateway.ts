import { randomUUID } from "node:crypto";
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Client } from "../client/client.js";
import { MicroError, badRequest, serviceUnavailable } from "../errors/micro-error.js";
import { type Logger, createConsoleLogger } from "../logger/logger.js";
import type { Metadata } from "../metadata/metadata.js";
import type { EndpointSchema, FieldSchema, MethodDescriptor } from "../method/method-descriptor.js";
import type { Registry } from "../registry/registry.js";
import { parseAddress } from "../service/env-config.js";
import type { Route } from "./api-route.js";
import { type CorsOptions, createCors } from "./cors.js";
import { writeError } from "./http-error.js";
import { encodeJson, jsonMethod, responseJson } from "./json-method.js";
import { openApiDocument } from "./openapi.js";
import { parseJsonBody, parseJsonMessages, readBody } from "./read-body.js";
import { createRegistryRoutes } from "./registry-routes.js";
import { bodyIsMessage, fieldMap, requestMessage } from "./request-message.js";
import { serviceIndex } from "./service-index.js";
import { writeStream } from "./stream-response.js";

const ID = "micro.api";

/** A request as the `authorize` hook sees it, after routing and before any service call. */
export interface ApiRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Path without the query string, as the gateway received it (after any prefix strip). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly route: Route;
  readonly requestId: string;
  /** Metadata the call will carry; the hook may add to it (an account id, roles). */
  readonly metadata: Metadata;
}

/** Settings of the API gateway; only `registry` and `client` are required. */
export interface ApiGatewayOptions {
  /** Where services and their endpoint metadata (incl. `google.api.http` rules) are found. */
  readonly registry: Registry;
  /**
   * Calls the services. Its transport must speak JSON: `createHttpTransport({ codec:
   * "json" })`, since the gateway knows endpoints only from the registry, not the protos.
   */
  readonly client: Client;
  /** Cross-origin access for browsers. Default: none (no CORS headers). */
  readonly cors?: CorsOptions;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Milliseconds a unary or client-streaming call may take, retries included, before the
   * client gets 504. Default 10 000. Server and bidi streams run until they end, unless a
   * route timeout is set for them.
   */
  readonly timeout?: number;
  /**
   * Timeouts in ms per service (`greeter`) or per endpoint (`greeter/Greeter.Hello`); the
   * endpoint's wins over the service's, both over `timeout`.
   */
  readonly routeTimeouts?: Readonly<Record<string, number>>;
  /**
   * Runs before a routed request reaches its service; throw a `MicroError` (401, 403, ...)
   * to reject it with that status. Default: everything is allowed.
   */
  readonly authorize?: (request: ApiRequest) => void | Promise<void>;
  /**
   * Request headers passed to services as call metadata, besides `x-request-id`,
   * `traceparent` and `tracestate` which always are. Default none.
   */
  readonly forwardHeaders?: readonly string[];
  /** Told about failed calls and registry trouble. Default: console, name `api`. */
  readonly logger?: Logger;
}

/** The HTTP face of the services in a registry. */
export interface ApiGateway {
  /**
   * A `node:http` request handler. To mount the gateway under a prefix, strip the prefix
   * from `req.url` before calling it.
   */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Listens on `host:port` (`:8080` for all interfaces, port 0 for a free one). */
  listen(address: string): Promise<{ address: string }>;
  /** Stops listening (if it did) and stops following the registry. */
  close(): Promise<void>;
  /** The current route table: `google.api.http` routes, then the path-based ones. */
  routes(): readonly Route[];
}

const ALWAYS_FORWARDED = ["x-request-id", "traceparent", "tracestate"];
const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_TIMEOUT = 10_000;

/**
 * Turns HTTP/JSON into RPC: routes come from what services register (their `google.api.http`
 * rules, and `POST /<service>/<method>` for every endpoint), calls go through the runtime's
 * client (selector, retries, deadlines), errors come back as micro errors with their status.
 */
export function createApiGateway(options: ApiGatewayOptions): ApiGateway {
  const { registry, client } = options;
  const logger = options.logger ?? createConsoleLogger({ name: "api" });
  const maxBody = positive("maxBodyBytes", options.maxBodyBytes ?? DEFAULT_MAX_BODY);
  const defaultTimeout = positive("timeout", options.timeout ?? DEFAULT_TIMEOUT);
  const routeTimeouts = new Map(Object.entries(options.routeTimeouts ?? {}));
  for (const [key, value] of routeTimeouts) positive(`routeTimeouts[${key}]`, value);
  const forwarded = [
    ...new Set([
      ...ALWAYS_FORWARDED,
      ...(options.forwardHeaders ?? []).map((h) => h.toLowerCase()),
    ]),
  ];
  const cors = createCors(options.cors);
  const routes = createRegistryRoutes({ registry, logger });
  /** What calling an endpoint needs, computed once per registered endpoint schema. */
  const prepared = new WeakMap<
    EndpointSchema,
    { method: MethodDescriptor<Uint8Array, Uint8Array>; fields: ReadonlyMap<string, FieldSchema> }
  >();
  let ready: Promise<void> | undefined;
  /** Set once the registry was read, so requests after that skip awaiting `ready`. */
  let loaded = false;
  let server: Server | undefined;
  /**
   * One AbortSignal per client connection, aborted when it closes: an HTTP/1.1 response
   * can only end early by its socket closing, and a controller per unary request cost
   * more than the gateway's routing. Streams keep a controller of their own.
   */
  const connectionSignals = new WeakMap<Socket, AbortSignal>();

  const prepare = (schema: EndpointSchema) => {
    let entry = prepared.get(schema);
    if (!entry) {
      entry = { method: jsonMethod(schema), fields: fieldMap(schema.request) };
      prepared.set(schema, entry);
    }
    return entry;
  };

  const timeoutOf = (route: Route): number | undefined =>
    (routeTimeouts.size === 0
      ? undefined
      : (routeTimeouts.get(`${route.service}/${route.endpoint}`) ??
        routeTimeouts.get(route.service))) ??
    (route.kind === "unary" || route.kind === "client_streaming" ? defaultTimeout : undefined);

  const tableReady = async () => {
    ready ??= routes.ready().catch((error: unknown) => {
      ready = undefined;
      throw serviceUnavailable(
        ID,
        `the registry (${registry.name}) cannot be read: ${String(error)}`,
      );
    });
    await ready;
    loaded = true;
  };

  const connectionSignal = (socket: Socket): AbortSignal => {
    let signal = connectionSignals.get(socket);
    if (!signal) {
      const controller = new AbortController();
      signal = controller.signal;
      connectionSignals.set(socket, signal);
      socket.once("close", () => controller.abort());
    }
    return signal;
  };

  async function serve(req: IncomingMessage, res: ServerResponse, base: Record<string, string>) {
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (!loaded) await tableReady();
    if (method === "GET" && (path === "/" || path === "/openapi.json")) {
      const table = routes.current();
      const body = JSON.stringify(
        path === "/" ? serviceIndex(table) : openApiDocument(table),
        null,
        path === "/" ? undefined : 2,
      );
      res.writeHead(200, {
        ...base,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    let match = routes.current().match(method, path);
    if (!match.found && match.status === 404) {
      const name = /^\/([^/]+)\/[^/]+(\/[^/]+)?$/.exec(path)?.[1];
      if (name !== undefined) {
        // A malformed escape is no service name: the match below answers 404.
        await Promise.resolve()
          .then(() => routes.lookup(decodeURIComponent(name)))
          .catch(() => undefined);
        match = routes.current().match(method, path);
      }
    }
    if (!match.found) {
      const error = new MicroError(ID, match.status, match.detail);
      writeError(res, error, match.allow ? { ...base, allow: match.allow.join(", ") } : base);
      drain(req);
      return;
    }
    const { route, schema, variables } = match;
    const metadata: Metadata = {};
    for (const header of forwarded) {
      const value = req.headers[header];
      if (typeof value === "string") metadata[header] = value;
    }
    metadata["x-request-id"] = base["x-request-id"] as string;
    if (options.authorize) {
      await options.authorize({
        method,
        path,
        headers: req.headers,
        route,
        requestId: base["x-request-id"] as string,
        metadata,
      });
    }
    const streamsIn = route.kind === "client_streaming" || route.kind === "bidi_streaming";
    const bytes =
      route.body !== undefined || streamsIn
        ? await readBody(req, maxBody)
        : (drain(req), undefined);
    const query = q < 0 ? undefined : new URLSearchParams(url.slice(q + 1));
    const timeout = timeoutOf(route);
    const { method: methodDescriptor, fields } = prepare(schema);
    if (route.kind === "unary") {
      const message = requestMessage(route, fields, {
        variables,
        query,
        body: bytes === undefined ? undefined : parseJsonBody(bytes),
      });
      // The body is the whole message: send it on as it came (it parsed, so it is JSON).
      const relayed = bytes !== undefined && bytes.length > 0 && bodyIsMessage(route, variables);
      const response = await client.call(
        route.service,
        methodDescriptor,
        relayed ? bytes : encodeJson(message),
        { metadata, signal: connectionSignal(req.socket), timeout: timeout ?? defaultTimeout },
      );
      writeJson(res, base, responseJson(route, response));
      return;
    }
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const callOptions = {
      metadata,
      signal: abort.signal,
      ...(timeout === undefined ? {} : { timeout }),
    };
    const messages = streamsIn
      ? parseJsonMessages(bytes ?? Buffer.alloc(0), isNdjson(req)).map((body) =>
          encodeJson(requestMessage(route, fields, { variables, query, body })),
        )
      : [
          encodeJson(
            requestMessage(route, fields, {
              variables,
              query,
              body: bytes === undefined ? undefined : parseJsonBody(bytes),
            }),
          ),
        ];
    const responses = client.stream(
      route.service,
      methodDescriptor,
      fromList(messages),
      callOptions,
    );
    if (route.kind === "client_streaming") {
      let last: Uint8Array | undefined;
      for await (const response of responses) last = response;
      writeJson(res, base, responseJson(route, last ?? EMPTY));
      return;
    }
    await writeStream(req, res, base, route, responses);
  }

  /** `serve` with its failures answered as micro errors (a try, not a `.catch` closure). */
  async function answer(req: IncomingMessage, res: ServerResponse, base: Record<string, string>) {
    try {
      await serve(req, res, base);
    } catch (thrown) {
      const error = MicroError.from(thrown, ID);
      if (error.code >= 500) {
        logger.warn("request failed", {
          method: req.method,
          url: req.url,
          requestId: base["x-request-id"],
          code: error.code,
          detail: error.detail,
        });
      }
      // After a 413 the rest of the body is not read: close rather than reuse the socket.
      writeError(res, error, error.code === 413 ? { ...base, connection: "close" } : base);
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && given !== "" ? given : randomUUID();
    const base: Record<string, string> = { "x-request-id": requestId, ...cors.headers(req) };
    if (cors.preflight(req, res)) return;
    void answer(req, res, base);
  };

  return {
    handle,
    routes: () => routes.current().routes,
    async listen(address) {
      if (server) throw new MicroError(ID, 409, "the gateway is already listening");
      const { host, port } = parseAddress("api address", address);
      const created = createServer({ keepAliveTimeout: 65_000 }, handle);
      await new Promise<void>((resolve, reject) => {
        created.once("error", reject);
        created.listen(port, host, () => {
          created.off("error", reject);
          resolve();
        });
      });
      // Only a listening server is kept: closing one that failed to listen emits its error again.
      server = created;
      // Read the registry now, so the first request does not wait for it.
      void tableReady().catch((error: unknown) =>
        logger.warn("registry not readable yet", { error: String(error) }),
      );
      const info = created.address() as AddressInfo;
      const shown = info.address.includes(":") ? `[${info.address}]` : info.address;
      return { address: `${shown}:${info.port}` };
    },
    async close() {
      routes.close();
      const current = server;
      server = undefined;
      if (!current) return;
      // Open streams (SSE) would keep the server up forever: give them a moment, then cut.
      const cut = setTimeout(() => current.closeAllConnections(), 1_000);
      await new Promise<void>((resolve) => {
        current.close(() => resolve());
        current.closeIdleConnections();
      });
      clearTimeout(cut);
    },
  };
}

/**
 * Sends a JSON answer: the service's bytes as they came, or the text of a field of it.
 * `base` is this request's own header object, completed in place (no copy per answer).
 */
function writeJson(
  res: ServerResponse,
  base: Record<string, string>,
  body: Uint8Array | string,
): void {
  base["content-type"] = "application/json";
  base["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
  res.writeHead(200, base);
  res.end(body);
}

const EMPTY = new Uint8Array(0);

/** A client stream's body is NDJSON by its content type, else a JSON array. */
function isNdjson(req: IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "").includes("ndjson");
}

/** Lets an unread body flow away so the connection can be reused. */
function drain(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw badRequest(ID, `api gateway: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

async function* fromList<T>(values: readonly T[]): AsyncGenerator<T> {
  yield* values;
}

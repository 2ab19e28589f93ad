import type { OutgoingHttpHeaders } from "node:http";
import type { Codec } from "../../codec/codec.js";
import {
  MicroError,
  badRequest,
  notFound,
  notImplemented,
  serviceUnavailable,
} from "../../errors/micro-error.js";
import type { Metadata } from "../../metadata/metadata.js";
import { addMetadataHeaders } from "../wire/metadata-headers.js";
import { MICRO_ERROR_HEADER, encodeMicroErrorHeader } from "../wire/micro-error-header.js";
import type { Route, RouteResult, Router } from "../transport.js";
import {
  CONNECT_PROTOCOL_VERSION,
  type ConnectContentType,
  connectErrorJson,
  httpStatusOf,
  isConnectHeader,
  parseContentType,
  parseTimeout,
} from "./connect-protocol.js";
import { createDeadlineWheel, type DeadlineWheel } from "../deadline-wheel.js";
import { serveStream } from "./connect-stream-handler.js";
import {
  type WireRequest,
  type ServerCall,
  type WireResponse,
  readBody,
  startServerCall,
  tooLarge,
} from "./server-call.js";

/** What the Connect handler serves and how. */
export interface ConnectHandlerOptions {
  readonly router: Router;
  readonly maxMessageBytes: number;
  /** Codecs by Connect name (`proto`, `json`): content types select among them. */
  readonly codecs: ReadonlyMap<string, Codec>;
  /** True once the listener is closing: calls that arrive now get a retryable 503. */
  readonly draining: () => boolean;
  /** The listener's address, for error messages. */
  readonly address: () => string;
}

/** Serves one HTTP request (h1 or h2c) as a Connect call. */
export type ConnectHandler = (request: WireRequest, response: WireResponse) => void;

/**
 * The server side of the Connect protocol: picks the route by path and the codec by
 * content type, then serves unary calls here and streaming ones in
 * `connect-stream-handler.ts`. Every failure answers as a Connect error carrying the exact
 * micro error, and never takes the connection down with it.
 */
export function createConnectHandler(options: ConnectHandlerOptions): ConnectHandler {
  const { router, maxMessageBytes, codecs } = options;
  const unaryTypes = [...codecs.values()].map((codec) => codec.contentType).join(" or ");
  const streamTypes = [...codecs.keys()].map((name) => `application/connect+${name}`).join(" or ");
  const deadlines = createDeadlineWheel();

  return function handle(request, response) {
    const url = request.url ?? "/";
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    if (options.draining()) {
      sendError(
        response,
        serviceUnavailable(
          "micro.server",
          `${options.address()} is shutting down; call not processed`,
        ),
      );
      return;
    }
    const route = router.route(path);
    if (!route) {
      sendError(response, notFound("micro.server", `no method ${path} at ${options.address()}`));
      return;
    }
    if (request.method !== "POST") {
      sendError(
        response,
        badRequest("micro.server", `${path} takes POST, not ${String(request.method)}`),
        undefined,
        405,
      );
      return;
    }
    const streaming = route.method.kind !== "unary";
    const contentType = request.headers["content-type"];
    const type = parseContentType(contentType, codecs);
    if (!type || type.streaming !== streaming) {
      sendError(
        response,
        notImplemented(
          "micro.server",
          `content type "${contentType ?? ""}" is not supported by ${path}; ` +
            `use ${streaming ? streamTypes : unaryTypes}`,
        ),
        undefined,
        415,
      );
      return;
    }
    let deadline: number | undefined;
    try {
      checkProtocolHeaders(request, streaming);
      deadline = parseTimeout(request.headers["connect-timeout-ms"], Date.now());
    } catch (error) {
      sendError(response, MicroError.from(error));
      return;
    }
    if (streaming) {
      void serveStream({
        request,
        response,
        route,
        path,
        type,
        deadline,
        maxMessageBytes,
        deadlines,
      });
    } else {
      serveUnary(request, response, route, path, type, deadline, maxMessageBytes, deadlines);
    }
  };
}

/** Rejects protocol versions and compression this server does not speak, naming them. */
function checkProtocolHeaders(request: WireRequest, streaming: boolean): void {
  const version = request.headers["connect-protocol-version"];
  if (version !== undefined && version !== CONNECT_PROTOCOL_VERSION) {
    throw badRequest("micro.server", `unsupported connect-protocol-version "${String(version)}"`);
  }
  const encoding = request.headers[streaming ? "connect-content-encoding" : "content-encoding"];
  if (encoding !== undefined && encoding !== "identity") {
    throw notImplemented(
      "micro.server",
      `${streaming ? "connect-content-encoding" : "content-encoding"} "${String(encoding)}" is not supported; send uncompressed messages`,
    );
  }
}

/**
 * Serves one unary call with callbacks rather than an async function: each promise is
 * paid for on every call.
 */
function serveUnary(
  request: WireRequest,
  response: WireResponse,
  route: Route,
  path: string,
  type: ConnectContentType,
  deadline: number | undefined,
  maxMessageBytes: number,
  deadlines: DeadlineWheel,
): void {
  const exchange = new UnaryExchange(request, response, route, type.codec, maxMessageBytes);
  exchange.call = startServerCall(request, response, path, deadline, deadlines, (error) =>
    exchange.expired(error),
  );
  readBody(request, maxMessageBytes, (error, body) => exchange.received(error, body));
}

/** One unary call's steps, as methods rather than closures made per call. */
class UnaryExchange {
  call!: ServerCall;
  #result: RouteResult | undefined;
  readonly #request: WireRequest;
  readonly #response: WireResponse;
  readonly #route: Route;
  readonly #codec: Codec;
  readonly #maxMessageBytes: number;

  constructor(
    request: WireRequest,
    response: WireResponse,
    route: Route,
    codec: Codec,
    maxMessageBytes: number,
  ) {
    this.#request = request;
    this.#response = response;
    this.#route = route;
    this.#codec = codec;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** The request body is in (or failed): decode it and run the handler. */
  received(error: Error | undefined, body: Uint8Array | undefined): void {
    if (error) {
      this.fail(error);
      return;
    }
    let result: RouteResult;
    try {
      const input = this.#codec.decode(body as Uint8Array, this.#route.method.input);
      result = this.#route.invoke(this.call.inbound, input);
    } catch (thrown) {
      this.fail(thrown);
      return;
    }
    this.#result = result;
    if (result.settled) {
      this.respond(result.message);
      return;
    }
    (result.response as Promise<unknown>).then(
      (output) => this.respond(output),
      (thrown: unknown) => this.fail(thrown),
    );
  }

  respond(output: unknown): void {
    try {
      const bytes = this.#codec.encode(output, this.#route.method.output);
      if (bytes.length > this.#maxMessageBytes) {
        throw tooLarge("response message", bytes.length, this.#maxMessageBytes);
      }
      if (!this.call.complete()) return;
      const headers: Record<string, string | number> = {};
      addMetadataHeaders(
        headers as Record<string, string>,
        (this.#result as RouteResult).context.responseMetadata,
        isConnectHeader,
      );
      headers["content-type"] = this.#codec.contentType;
      headers["content-length"] = bytes.length;
      this.#response.writeHead(200, headers);
      this.#response.end(bytes);
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error: unknown): void {
    if (!this.#request.readableEnded) this.#request.resume();
    this.call.complete();
    // Writes nothing when the deadline already answered or the client is gone.
    sendError(this.#response, MicroError.from(error), this.#result?.context.responseMetadata);
  }

  /** The deadline passed first: answer 408 at once, whatever the handler is doing. */
  expired(error: MicroError): void {
    sendError(this.#response, error, this.#result?.context.responseMetadata);
  }
}

/**
 * Answers with a Connect error: the Connect table's HTTP status (or `status`), a JSON
 * body any Connect client understands, and the exact micro error in `micro-error`.
 * Response metadata the handler set travels as headers, as Connect does for unary errors.
 */
export function sendError(
  response: WireResponse,
  error: MicroError,
  metadata?: Readonly<Metadata>,
  status?: number,
): void {
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(connectErrorJson(error));
  const headers: OutgoingHttpHeaders = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    [MICRO_ERROR_HEADER]: encodeMicroErrorHeader(error),
  };
  if (metadata) addMetadataHeaders(headers as Record<string, string>, metadata, isConnectHeader);
  try {
    response.writeHead(status ?? httpStatusOf(error), headers);
  } catch {
    // The handler's metadata held a value HTTP cannot carry: answer without it.
    if (response.headersSent) return;
    response.writeHead(status ?? httpStatusOf(error), {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      [MICRO_ERROR_HEADER]: encodeMicroErrorHeader(error),
    });
  }
  response.end(body);
}

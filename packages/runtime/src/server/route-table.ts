import type { HandlerContext } from "../context/handler-context.js";
import { MicroError, internalServerError } from "../errors/micro-error.js";
import type { Logger } from "../logger/logger.js";
import type { MethodDescriptor, ServiceDescriptor } from "../method/method-descriptor.js";
import type { InboundCall, Route, RouteResult, Router } from "../transport/transport.js";
import type { HandlerFn, HandlerWrapper, MethodHandler, ServiceImplementation } from "./handler.js";
import type { InFlight } from "./in-flight.js";
import { RouteContext } from "./route-context.js";

/** What every route of a server shares. */
export interface RouteTableOptions {
  /** The registered service name, used as the id of errors handlers throw. */
  readonly service: string;
  readonly wrappers: readonly HandlerWrapper[];
  readonly inFlight: InFlight;
  readonly logger: Logger;
}

/**
 * The server's routes by wire path. Invoking a route runs the user's handler inside
 * its wrappers, counts it as in-flight until its response is complete,
 * and turns whatever it throws into a `MicroError`.
 */
export class RouteTable implements Router {
  readonly #routes = new Map<string, Route>();
  readonly #options: RouteTableOptions;

  constructor(options: RouteTableOptions) {
    this.#options = options;
  }

  /** Adds every method of `service`; a method missing from `implementation` is an error. */
  add(service: ServiceDescriptor, implementation: ServiceImplementation): void {
    for (const [name, method] of Object.entries(service.methods)) {
      const handler = implementation[name];
      if (typeof handler !== "function") {
        throw new TypeError(
          `handler for ${service.typeName} has no function for method ${name}; implement every rpc of the service`,
        );
      }
      const path = method.endpoint.path;
      if (this.#routes.has(path)) {
        throw new TypeError(`${path} is registered twice; register each service once per server`);
      }
      this.#routes.set(path, this.#createRoute(method, handler));
    }
  }

  route(path: string): Route | undefined {
    return this.#routes.get(path);
  }

  routes(): Iterable<Route> {
    return this.#routes.values();
  }

  get size(): number {
    return this.#routes.size;
  }

  #createRoute(method: MethodDescriptor, handler: MethodHandler): Route {
    const { service, wrappers, inFlight, logger } = this.#options;
    const base: HandlerFn = (request, context) => (handler as HandlerFn)(request, context);
    const wrapped = wrappers.reduceRight((next, wrapper) => wrapper(next), base);
    const streamsOut = method.kind === "server_streaming" || method.kind === "bidi_streaming";
    const toMicroError = (error: unknown) => {
      const micro = MicroError.from(error, service);
      if (micro.code >= 500 && !(error instanceof MicroError)) {
        logger.error("handler failed", { endpoint: method.endpoint.name, error: String(error) });
      }
      return micro;
    };
    // Per route, not per call: closures made per call are costly (more so under tsx,
    // whose keepNames renames each one as it is created).
    const answered = (value: unknown, done: () => void) => {
      done();
      if (value === undefined || value === null) {
        throw internalServerError(service, `${method.endpoint.name} returned no response message`);
      }
      return value;
    };
    const failed = (error: unknown, done: () => void) => {
      done();
      return toMicroError(error);
    };

    return {
      method,
      invoke(call: InboundCall, request: unknown): RouteResult {
        const context: HandlerContext = new RouteContext(service, method, call);
        const done = inFlight.begin();
        if (streamsOut) {
          return {
            context,
            response: trackStream(() => wrapped(request, context), done, toMicroError),
          };
        }
        let value: unknown;
        try {
          value = wrapped(request, context);
        } catch (error) {
          return { context, response: Promise.reject(failed(error, done)) };
        }
        // A handler that answers synchronously costs no promise unless one is asked for.
        if (!isThenable(value)) {
          try {
            return new SettledResult(context, answered(value, done));
          } catch (error) {
            return { context, response: Promise.reject(error) };
          }
        }
        return {
          context,
          response: Promise.resolve(value).then(
            (answer) => answered(answer, done),
            (error: unknown) => {
              throw failed(error, done);
            },
          ),
        };
      },
    };
  }
}

/** The result of a handler that answered synchronously; `response` is made if read. */
class SettledResult implements RouteResult {
  readonly settled = true;
  constructor(
    readonly context: HandlerContext,
    readonly message: unknown,
  ) {}

  get response(): Promise<unknown> {
    return Promise.resolve(this.message);
  }
}

/** Iterates a handler's response stream, ending the in-flight count exactly once. */
function trackStream(
  start: () => unknown,
  done: () => void,
  toMicroError: (error: unknown) => MicroError,
): AsyncIterable<unknown> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        const iterable = start();
        if (!isAsyncIterable(iterable)) {
          throw new TypeError(
            "a streaming handler must return an AsyncIterable (use an async generator)",
          );
        }
        yield* iterable;
      } catch (error) {
        throw toMicroError(error);
      } finally {
        done();
      }
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === "function";
}

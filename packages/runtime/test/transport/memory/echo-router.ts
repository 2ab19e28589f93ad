// A tiny Router over the Echo fixture for transport tests: it does what the server's route
// table does (build the context, turn throws into MicroErrors) and records what the
// handlers observed, so tests can assert on the server side too.
import type { HandlerContext } from "../../../src/context/handler-context.js";
import { MicroError } from "../../../src/errors/micro-error.js";
import type { MethodDescriptor } from "../../../src/method/method-descriptor.js";
import type { InboundCall, Route, Router } from "../../../src/transport/transport.js";
import {
  type CollectResponse,
  type CountRequest,
  type CountResponse,
  EchoDescriptor,
  type SayRequest,
  type SayResponse,
} from "../../fixtures/echo-descriptor.js";

/** What the handlers saw, for assertions on the server side of a call. */
export interface EchoObservations {
  /** Calls started, by method name. */
  readonly started: string[];
  /** Calls whose signal aborted, with the abort reason. */
  readonly aborted: { method: string; reason: unknown }[];
  /** Calls whose handler ran to completion (success or error). */
  readonly finished: string[];
  /** Request messages the Collect and Converse handlers have read so far. */
  readonly received: string[];
}

type Handler = (request: unknown, context: HandlerContext) => unknown;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function fail(code: number): never {
  throw new MicroError("echo", code, `failing with ${code} as asked`);
}

/** The Echo service's handlers, with knobs driven by request fields and metadata. */
function handlers(node: string, seen: EchoObservations): Record<string, Handler> {
  return {
    async Say(request, context): Promise<SayResponse> {
      const req = request as SayRequest;
      context.responseMetadata["x-echo-node"] = node;
      if (req.delayMs > 0) await sleep(req.delayMs, context.signal);
      if (req.failCode !== 0) fail(req.failCode);
      const repeat = Number(context.metadata["x-repeat"] ?? "1");
      return {
        text: req.text.repeat(repeat),
        node,
        metadata: { ...context.metadata },
        budgetMs: context.deadline === undefined ? 0 : context.deadline - Date.now(),
      };
    },
    async *Count(request, context): AsyncGenerator<CountResponse> {
      const req = request as CountRequest;
      const failAfter = Number(context.metadata["x-fail-after"] ?? "-1");
      context.responseMetadata["x-phase"] = "started";
      for (let n = 1; n <= req.upTo; n++) {
        if (n - 1 === failAfter) fail(409);
        if (req.delayMs > 0) await sleep(req.delayMs, context.signal);
        yield { n };
      }
      context.responseMetadata["x-total"] = String(req.upTo);
    },
    async Collect(requests, context): Promise<CollectResponse> {
      const texts: string[] = [];
      for await (const req of requests as AsyncIterable<SayRequest>) {
        seen.received.push(req.text);
        if (req.failCode !== 0) fail(req.failCode);
        if (req.delayMs > 0) await sleep(req.delayMs, context.signal);
        texts.push(req.text);
      }
      context.responseMetadata["x-count"] = String(texts.length);
      return { texts };
    },
    async *Converse(requests, context): AsyncGenerator<SayResponse> {
      for await (const req of requests as AsyncIterable<SayRequest>) {
        seen.received.push(req.text);
        if (req.failCode !== 0) fail(req.failCode);
        if (req.delayMs > 0) await sleep(req.delayMs, context.signal);
        yield { text: req.text.toUpperCase(), node, metadata: {}, budgetMs: 0 };
      }
    },
  };
}

async function* guardStream(
  source: AsyncIterable<unknown>,
  done: () => void,
): AsyncGenerator<unknown> {
  try {
    yield* source;
  } catch (error) {
    throw MicroError.from(error, "echo");
  } finally {
    done();
  }
}

/** A Router serving the Echo fixture, plus what its handlers observed. */
export function createEchoRouter(node = "node-1"): { router: Router; seen: EchoObservations } {
  const seen: EchoObservations = { started: [], aborted: [], finished: [], received: [] };
  const table = handlers(node, seen);
  const routes = new Map<string, Route>();
  for (const method of Object.values(EchoDescriptor.methods) as MethodDescriptor[]) {
    const handler = table[method.name] as Handler;
    routes.set(method.endpoint.path, {
      method,
      invoke(call: InboundCall, request: unknown) {
        seen.started.push(method.name);
        call.signal.addEventListener(
          "abort",
          () => seen.aborted.push({ method: method.name, reason: call.signal.reason }),
          { once: true },
        );
        const context: HandlerContext = {
          service: "echo",
          method,
          metadata: call.metadata,
          deadline: call.deadline,
          signal: call.signal,
          responseMetadata: {},
        };
        const done = () => seen.finished.push(method.name);
        const output = handler(request, context);
        if (method.kind === "server_streaming" || method.kind === "bidi_streaming") {
          return { context, response: guardStream(output as AsyncIterable<unknown>, done) };
        }
        const response = Promise.resolve(output).then(
          (value) => {
            done();
            return value;
          },
          (error: unknown) => {
            done();
            throw MicroError.from(error, "echo");
          },
        );
        return { context, response };
      },
    });
  }
  return {
    router: { route: (path) => routes.get(path), routes: () => routes.values() },
    seen,
  };
}

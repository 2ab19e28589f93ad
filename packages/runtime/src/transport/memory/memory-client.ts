import { MicroError, badRequest, canceled, serviceUnavailable } from "../../errors/micro-error.js";
import type { MethodDescriptor } from "../../method/method-descriptor.js";
import type { OutboundCall, RouteResult, TransportClient } from "../transport.js";
import type { MemoryCall, MemoryEndpoint } from "./memory-endpoint.js";
import { untilAborted } from "../until-aborted.js";

/**
 * The calling side of a memory transport. Every call goes through the endpoint's codec
 * and limits, and errors are rebuilt from their JSON form, so callers see exactly what a
 * network transport would deliver (no shared objects, no stack traces of the server).
 */
export function createMemoryClient(
  lookup: (address: string) => MemoryEndpoint | undefined,
): TransportClient {
  let closed = false;

  function connect(address: string): MemoryEndpoint {
    if (closed) throw serviceUnavailable("micro.client", "the transport client is closed");
    const endpoint = lookup(address);
    if (!endpoint) throw serviceUnavailable("micro.client", `no memory listener at ${address}`);
    return endpoint;
  }

  async function unary<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    request: I,
    call: OutboundCall,
  ): Promise<O> {
    const endpoint = connect(address);
    const accepted = endpoint.open(method.endpoint.path, call);
    let result: RouteResult | undefined;
    try {
      const input = endpoint.transfer(
        request,
        method.input,
        accepted.route.method.input,
        "request",
      );
      result = accepted.route.invoke(accepted.inbound, input);
      const response = await untilAborted(result.response as Promise<unknown>, accepted.signal);
      const output = endpoint.transfer(
        response,
        accepted.route.method.output,
        method.output,
        "response",
      );
      call.onResponseMetadata?.({ ...result.context.responseMetadata });
      return output;
    } catch (error) {
      if (result) reportOnError(call, result);
      throw overTheWire(error);
    } finally {
      accepted.finish();
    }
  }

  async function* stream<I, O>(
    address: string,
    method: MethodDescriptor<I, O>,
    requests: AsyncIterable<I>,
    call: OutboundCall,
  ): AsyncGenerator<O> {
    const endpoint = connect(address);
    const accepted = endpoint.open(method.endpoint.path, call);
    const kind = accepted.route.method.kind;
    let result: RouteResult | undefined;
    let responses: AsyncIterator<unknown> | undefined;
    let completed = false;
    try {
      const input =
        kind === "unary" || kind === "server_streaming"
          ? endpoint.transfer(
              await firstRequest(requests, accepted, kind),
              method.input,
              accepted.route.method.input,
              "request",
            )
          : forwardRequests(requests, method, endpoint, accepted);
      result = accepted.route.invoke(accepted.inbound, input);
      if (kind === "unary" || kind === "client_streaming") {
        const response = await untilAborted(result.response as Promise<unknown>, accepted.signal);
        const output = endpoint.transfer(
          response,
          accepted.route.method.output,
          method.output,
          "response",
        );
        completed = true;
        call.onResponseMetadata?.({ ...result.context.responseMetadata });
        yield output;
        return;
      }
      responses = (result.response as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      for (;;) {
        const next = await untilAborted(responses.next(), accepted.signal);
        if (next.done) break;
        yield endpoint.transfer(
          next.value,
          accepted.route.method.output,
          method.output,
          "response",
        );
      }
      completed = true;
      call.onResponseMetadata?.({ ...result.context.responseMetadata });
    } catch (error) {
      if (result && !completed) reportOnError(call, result);
      completed = true;
      throw overTheWire(accepted.signal.aborted ? accepted.signal.reason : error);
    } finally {
      if (!completed) {
        // The caller stopped reading: the server sees a cancellation, as over a socket.
        accepted.cancel(canceled("micro.client", "the caller stopped reading the stream"));
        responses?.return?.(undefined)?.catch(() => undefined);
      }
      accepted.finish();
    }
  }

  return {
    unary,
    stream,
    async close() {
      closed = true;
    },
  };
}

/** Reads the single request of a unary or server-streaming call from the request stream. */
async function firstRequest<I>(
  requests: AsyncIterable<I>,
  accepted: MemoryCall,
  kind: string,
): Promise<I> {
  const iterator = requests[Symbol.asyncIterator]();
  let first: IteratorResult<I>;
  try {
    first = await untilAborted(iterator.next(), accepted.signal);
  } catch (error) {
    throw accepted.signal.aborted ? accepted.signal.reason : MicroError.from(error, "micro.client");
  }
  iterator.return?.()?.catch(() => undefined);
  if (first.done) throw badRequest("micro.client", `a ${kind} call needs one request message`);
  return first.value;
}

/**
 * The server's view of a streamed request: pulls one message from the caller per message
 * the handler asks for (back-pressure), through the codec. A failing request stream or
 * an oversize message ends the whole call, as a reset stream would.
 */
async function* forwardRequests<I>(
  requests: AsyncIterable<I>,
  method: MethodDescriptor<I, unknown>,
  endpoint: MemoryEndpoint,
  accepted: MemoryCall,
): AsyncGenerator<unknown> {
  const iterator = requests[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<I>;
      try {
        next = await untilAborted(iterator.next(), accepted.signal);
      } catch (error) {
        if (!accepted.signal.aborted) accepted.cancel(MicroError.from(error, "micro.client"));
        throw accepted.signal.reason;
      }
      if (next.done) {
        done = true;
        return;
      }
      let message: unknown;
      try {
        message = endpoint.transfer(
          next.value,
          method.input,
          accepted.route.method.input,
          "request",
        );
      } catch (error) {
        accepted.cancel(MicroError.from(error));
        throw accepted.signal.reason;
      }
      yield message;
    }
  } finally {
    if (!done) iterator.return?.()?.catch(() => undefined);
  }
}

/**
 * A failed call reports response metadata only when the handler set some, as over gRPC,
 * where a failure without metadata is indistinguishable from one the server never saw.
 */
function reportOnError(call: OutboundCall, result: RouteResult): void {
  const metadata = result.context.responseMetadata;
  if (Object.keys(metadata).length > 0) call.onResponseMetadata?.({ ...metadata });
}

/** What a caller receives after an error crossed a wire: a fresh `MicroError` from its JSON. */
function overTheWire(error: unknown): MicroError {
  const micro = MicroError.from(error);
  return new MicroError(micro.id, micro.code, micro.detail);
}

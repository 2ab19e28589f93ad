import type { IncomingMessage, ServerResponse } from "node:http";
import { MicroError } from "../errors/micro-error.js";
import type { Route } from "./api-route.js";
import { responseText } from "./json-method.js";

/**
 * Sends a response stream as Server-Sent Events (default: what `EventSource` reads), or as
 * NDJSON when the request's `Accept` names `application/x-ndjson`. The first message is
 * awaited before the status is sent, so an error before any message (404, 503, a bad
 * request) still gets its HTTP status. A later error ends the stream with an SSE `error`
 * event, or an NDJSON line `{"error": {...}}`; SSE ends with an `end` event so browsers do
 * not reconnect.
 */
export async function writeStream(
  req: IncomingMessage,
  res: ServerResponse,
  base: Record<string, string>,
  route: Route,
  responses: AsyncIterable<Uint8Array>,
): Promise<void> {
  const ndjson = (req.headers.accept ?? "").includes("application/x-ndjson");
  const iterator = responses[Symbol.asyncIterator]();
  const first = await iterator.next();
  res.writeHead(200, {
    ...base,
    "content-type": ndjson ? "application/x-ndjson" : "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
  res.flushHeaders();
  const send = async (text: string) => {
    if (res.destroyed) return;
    if (!res.write(text) && !res.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  };
  const message = (value: Uint8Array) => {
    const json = responseText(route, value);
    return ndjson ? `${json}\n` : `data: ${json}\n\n`;
  };
  try {
    let next = first;
    while (!next.done) {
      if (res.destroyed) {
        await iterator.return?.();
        return;
      }
      await send(message(next.value));
      next = await iterator.next();
    }
    if (!ndjson) await send("event: end\ndata: {}\n\n");
  } catch (thrown) {
    const error = MicroError.from(thrown, "micro.api");
    if (res.destroyed) return;
    const json = JSON.stringify(error.toJSON());
    await send(ndjson ? `{"error":${json}}\n` : `event: error\ndata: ${json}\n\n`);
  }
  res.end();
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewaySandbox, createGatewaySandbox, eventually } from "./lib/gateway-sandbox.js";

// Streams to the browser (SSE, NDJSON by Accept), errors before and during a stream, client
// and bidi streams from a JSON array or NDJSON body; and routes following a service that
// stops and starts again. Real greeter and library processes, local registry.
describe("gateway streaming", () => {
  let sandbox: GatewaySandbox;

  beforeAll(async () => {
    sandbox = await createGatewaySandbox("local");
    await Promise.all([sandbox.startGreeter(), sandbox.startLibrary()]);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(sandbox.url + path, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });

  it("sends a server stream as Server-Sent Events, message by message as they come", async () => {
    const response = await post("/greeter/stream", '{"name":"Ada","count":3}');
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const events = parseSse(await response.text());
    expect(events).toEqual([
      { event: "message", data: { message: "Hello Ada (1/3)" } },
      { event: "message", data: { message: "Hello Ada (2/3)", index: 1 } },
      { event: "message", data: { message: "Hello Ada (3/3)", index: 2 } },
      { event: "end", data: {} },
    ]);
  });

  it("sends NDJSON when Accept asks for application/x-ndjson", async () => {
    const response = await post("/greeter/stream", '{"name":"Bo","count":2}', {
      accept: "application/x-ndjson",
    });
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(await response.text()).toBe(
      '{"message":"Hello Bo (1/2)"}\n{"message":"Hello Bo (2/2)","index":1}\n',
    );
  });

  it("gives an error before the first message its HTTP status", async () => {
    const response = await post("/library/FailStream", '{"code":403,"detail":"no","after":0}');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      id: "library",
      code: 403,
      detail: "no",
      status: "Forbidden",
    });
  });

  it("ends a stream that fails midway with an SSE error event, or an NDJSON error line", async () => {
    const sse = await post("/library/FailStream", '{"code":409,"detail":"gone","after":2}');
    expect(sse.status).toBe(200);
    expect(parseSse(await sse.text())).toEqual([
      { event: "message", data: {} },
      { event: "message", data: { index: 1 } },
      { event: "error", data: { id: "library", code: 409, detail: "gone", status: "Conflict" } },
    ]);
    const ndjson = await post("/library/FailStream", '{"code":409,"detail":"gone","after":1}', {
      accept: "application/x-ndjson",
    });
    expect((await ndjson.text()).split("\n")).toEqual([
      "{}",
      '{"error":{"id":"library","code":409,"detail":"gone","status":"Conflict"}}',
      "",
    ]);
  });

  it("takes a client stream as a JSON array or NDJSON and answers with JSON", async () => {
    const array = await post("/greeter/upload", '[{"name":"a"},{"name":"b"}]');
    expect(await array.json()).toEqual({ names: ["a", "b"], message: "Hello a, b" });
    const lines = await post("/greeter/upload", '{"name":"c"}\n{"name":"d"}\n', {
      "content-type": "application/x-ndjson",
    });
    expect(await lines.json()).toEqual({ names: ["c", "d"], message: "Hello c, d" });
  });

  it("streams a bidi call's answers to the messages of the body", async () => {
    const response = await post("/greeter/chat", '[{"text":"hi"},{"text":"bye"}]', {
      accept: "application/x-ndjson",
    });
    expect(await response.text()).toBe(
      '{"text":"Hello, you said: hi"}\n{"text":"Hello, you said: bye"}\n',
    );
  });

  it("cancels the service's stream when the browser goes away", async () => {
    const controller = new AbortController();
    const response = await fetch(`${sandbox.url}/v1/shelves/s1/events?count=100000`, {
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    // The gateway is still healthy and serving afterwards.
    const after = await post("/greeter/hello", '{"name":"Cy"}');
    expect(await after.json()).toEqual({ message: "Hello Cy" });
  });
});

describe.each(["local", "nats"] as const)("gateway routes follow the %s registry", (kind) => {
  let sandbox: GatewaySandbox;

  beforeAll(async () => {
    sandbox = await createGatewaySandbox(kind);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("adds a service's routes when it starts and removes them when it stops", async () => {
    expect((await fetch(`${sandbox.url}/v1/books`)).status).toBe(404);
    const library = await sandbox.startLibrary();
    await eventually("the library's routes appear", () =>
      sandbox.gateway.routes().some((r) => r.path === "/v1/books"),
    );
    expect((await fetch(`${sandbox.url}/v1/books`)).status).toBe(200);

    expect(await library.stop("SIGTERM")).toBe(0);
    await eventually("the library's routes are gone", () =>
      sandbox.gateway.routes().every((r) => r.service !== "library"),
    );
    const gone = await fetch(`${sandbox.url}/v1/books`);
    expect(gone.status).toBe(404);
    expect(
      (await fetch(`${sandbox.url}/library/listBooks`, { method: "POST", body: "{}" })).status,
    ).toBe(404);
    const index = (await (await fetch(`${sandbox.url}/`)).json()) as {
      services: { name: string }[];
    };
    expect(index.services.map((s) => s.name)).not.toContain("library");

    await sandbox.startLibrary();
    await eventually("the library's routes are back", () =>
      sandbox.gateway.routes().some((r) => r.path === "/v1/books"),
    );
    expect((await fetch(`${sandbox.url}/v1/books`)).status).toBe(200);
  });
});

/** Parses an SSE body into events (`message` unless named) with JSON data. */
function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        if (line.startsWith("data: ")) data += line.slice(6);
      }
      return { event, data: JSON.parse(data) as unknown };
    });
}

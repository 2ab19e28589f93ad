import { request as httpRequest } from "node:http";
import { MicroError, unauthorized } from "@micro-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewaySandbox, createGatewaySandbox, eventually } from "./lib/gateway-sandbox.js";

// Error mapping, limits, the auth hook and the headers the gateway passes on, against the
// library service through the local registry.
describe("gateway errors, limits, auth and headers", () => {
  let sandbox: GatewaySandbox;

  beforeAll(async () => {
    sandbox = await createGatewaySandbox("local", {
      maxBodyBytes: 1024,
      routeTimeouts: { "library/Library.Slow": 300 },
      cors: { origins: ["https://app.example"], exposeHeaders: ["x-request-id"] },
      authorize(request) {
        if (request.route.service === "guarded") throw unauthorized("api.auth", "no token");
        if (request.route.endpoint !== "Library.Inspect") return;
        if (request.headers["x-token"] !== "secret") throw unauthorized("api.auth", "bad token");
        request.metadata["x-account"] = "ada";
      },
    });
    await sandbox.startLibrary();
    const unreachable = (name: string, transport: string) =>
      sandbox.registry.register(
        {
          name,
          version: "1",
          metadata: {},
          endpoints: [
            {
              name: "Ghost.Boo",
              path: "/ghost.v1.Ghost/Boo",
              kind: "unary",
              request: { type: "ghost.v1.Req", fields: [] },
              response: { type: "ghost.v1.Res", fields: [] },
              http: [],
            },
          ],
          // Port 1 on loopback: nothing listens, connections are refused at once.
          nodes: [{ id: `${name}-1`, address: "127.0.0.1:1", metadata: { transport } }],
        },
        { ttl: 60_000 },
      );
    await Promise.all([
      unreachable("ghost", "http"),
      unreachable("grpc-only", "grpc"),
      unreachable("guarded", "http"),
    ]);
    await eventually("the gateway sees the registered records", () =>
      ["ghost", "grpc-only", "guarded", "library"].every((name) =>
        sandbox.gateway.routes().some((r) => r.service === name),
      ),
    );
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(sandbox.url + path, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as any,
    };
  };

  it("passes a service's MicroError through with its status and body", async () => {
    expect(await post("/v1/fail", '{"code":403,"detail":"not yours"}')).toMatchObject({
      status: 403,
      json: { id: "library", code: 403, detail: "not yours", status: "Forbidden" },
    });
    expect(await post("/v1/fail", '{"code":409,"detail":"taken"}')).toMatchObject({
      status: 409,
      json: { id: "library", code: 409, detail: "taken", status: "Conflict" },
    });
  });

  it("answers 404 for an unknown service or endpoint, naming what is known", async () => {
    const service = await post("/nobody/hello", "{}");
    expect(service.status).toBe(404);
    expect(service.json).toMatchObject({ id: "micro.api", code: 404, status: "Not Found" });
    expect((await post("/%E0%A4%A/hello", "{}")).status).toBe(404);
    const endpoint = await post("/library/nothing", "{}");
    expect(endpoint.status).toBe(404);
    expect(endpoint.json.detail).toContain("Library.GetBook");
  });

  it("answers 503 for a known service whose nodes cannot take the call", async () => {
    const refused = await post("/ghost/boo", "{}");
    expect(refused.status).toBe(503);
    expect(refused.json.code).toBe(503);
    // Registered on a transport the gateway's client does not speak: no usable node.
    const grpcOnly = await post("/grpc-only/boo", "{}");
    expect(grpcOnly.status).toBe(503);
  });

  it("answers 400 for a body that is not JSON, or a JSON body that is not an object", async () => {
    const bad = await post("/v1/slow", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ id: "micro.api", code: 400, status: "Bad Request" });
    expect(bad.json.detail).toContain("not valid JSON");
    expect((await post("/v1/slow", "[1,2]")).status).toBe(400);
    const wrongType = await fetch(`${sandbox.url}/v1/shelves/s1/books?pageSize=lots`);
    expect(wrongType.status).toBe(400);
  });

  it("answers 504 when the service does not answer within the route's timeout", async () => {
    const started = Date.now();
    const slow = await post("/v1/slow", '{"millis":5000}');
    expect(slow.status).toBe(504);
    expect(slow.json).toMatchObject({ code: 504, status: "Gateway Timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await post("/v1/slow", '{"millis":10}')).json).toEqual({ waited: 10 });
  });

  it("answers 413 for a body over the limit, declared or streamed, without reading it all", async () => {
    const big = JSON.stringify({ millis: 1, pad: "x".repeat(2000) });
    const declared = await post("/v1/slow", big);
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ code: 413, status: "Payload Too Large" });
    expect(declared.json.detail).toContain("1024 bytes");
    const chunked = await rawChunked(sandbox.url, "/v1/slow", [big.slice(0, 900), big.slice(900)]);
    expect(chunked.status).toBe(413);
    // A body under the limit still goes through.
    expect(
      (await post("/v1/slow", JSON.stringify({ millis: 1, pad: "x".repeat(900) }))).status,
    ).toBe(200);
  });

  it("runs the auth hook before the service: rejects with its error, may add metadata", async () => {
    const rejected = await fetch(`${sandbox.url}/v1/inspect`);
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual({
      id: "api.auth",
      code: 401,
      detail: "bad token",
      status: "Unauthorized",
    });
    // The guarded service has no reachable node: 401, not 503, shows no call was made.
    expect((await post("/guarded/boo", "{}")).status).toBe(401);
    const allowed = await fetch(`${sandbox.url}/v1/inspect`, { headers: { "x-token": "secret" } });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as any).metadata["x-account"]).toBe("ada");
  });

  it("echoes or creates x-request-id and passes it, traceparent and tracestate as metadata", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const given = await fetch(`${sandbox.url}/v1/inspect`, {
      headers: {
        "x-token": "secret",
        "x-request-id": "req-42",
        traceparent,
        tracestate: "a=1",
        cookie: "s=1",
      },
    });
    expect(given.headers.get("x-request-id")).toBe("req-42");
    const { metadata } = (await given.json()) as { metadata: Record<string, string> };
    expect(metadata).toMatchObject({ "x-request-id": "req-42", traceparent, tracestate: "a=1" });
    // Other headers stay at the gateway unless forwardHeaders names them.
    expect(metadata["cookie"]).toBeUndefined();

    const generated = await fetch(`${sandbox.url}/v1/inspect`, {
      headers: { "x-token": "secret" },
    });
    const id = generated.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await generated.json()) as any).metadata["x-request-id"]).toBe(id);
    // Error responses carry it too.
    expect(
      (await post("/nobody/x", "{}", { "x-request-id": "req-43" })).headers.get("x-request-id"),
    ).toBe("req-43");
  });

  it("answers CORS preflights for allowed origins only, and marks responses", async () => {
    const preflight = await fetch(`${sandbox.url}/v1/greeter/hello`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-token",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type, x-token");
    expect(preflight.headers.get("access-control-max-age")).toBe("600");

    const foreign = await fetch(`${sandbox.url}/v1/greeter/hello`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

    const actual = await post("/v1/fail", '{"code":400,"detail":"x"}', {
      origin: "https://app.example",
    });
    expect(actual.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(actual.headers.get("access-control-expose-headers")).toBe("x-request-id");
    expect(actual.headers.get("vary")).toBe("origin");
  });

  it("maps every MicroError code to its HTTP status, a 408 from the client to 504", async () => {
    const { httpStatusOf } = await import("@micro-ts/runtime/api");
    expect(httpStatusOf(new MicroError("x", 408, "deadline"))).toBe(504);
    expect(httpStatusOf(new MicroError("x", 429, "slow down"))).toBe(429);
    expect(httpStatusOf(new MicroError("x", 200, "odd"))).toBe(500);
  });
});

/** A POST whose body is sent in chunks without content-length. */
function rawChunked(base: string, path: string, chunks: string[]): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      base + path,
      { method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The gateway may close the socket after answering 413 while chunks are in flight.
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

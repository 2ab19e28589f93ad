import { createJsonCodec } from "@micro-ts/runtime";
import { describe, expect, it } from "vitest";
import type { Route } from "../../packages/runtime/src/api/api-route.js";
import {
  encodeJson,
  jsonMethod,
  responseJson,
  responseText,
} from "../../packages/runtime/src/api/json-method.js";

const method = jsonMethod({
  name: "Greeter.Hello",
  path: "/greeter.v1.Greeter/Hello",
  kind: "unary",
  request: { type: "greeter.v1.HelloRequest", fields: [] },
  response: { type: "greeter.v1.HelloResponse", fields: [] },
  http: [],
});
const route: Route = {
  source: "path",
  method: "POST",
  path: "/greeter/Greeter/Hello",
  service: "greeter",
  endpoint: "Greeter.Hello",
  kind: "unary",
  body: "*",
};

describe("gateway JSON messages", () => {
  it("pass through the JSON codec as the same bytes, both ways", () => {
    const codec = createJsonCodec();
    const bytes = Buffer.from('{"name": "Ada", "extra": [1, 2]}');
    expect(codec.encode(bytes, method.input)).toBe(bytes);
    expect(codec.decode(bytes, method.output)).toBe(bytes);
  });

  it("still work through toJSON/fromJSON for a codec that ignores the flag", () => {
    expect(method.input.toJSON(Buffer.from('{"name":"Ada"}'))).toEqual({ name: "Ada" });
    expect(method.input.toJSON(new Uint8Array(0))).toEqual({});
    expect(Buffer.from(method.output.fromJSON({ a: 1 })).toString()).toBe('{"a":1}');
    expect(() => method.input.encode(Buffer.from("{}"))).toThrow(/JSON only/);
  });

  it("answer with the service's bytes, or the response_body field's JSON", () => {
    const answer = encodeJson({ book: { id: 7 }, total: 1 });
    expect(responseJson(route, answer)).toBe(answer);
    expect(responseJson(route, new Uint8Array(0))).toBe("{}");
    expect(responseJson({ ...route, responseBody: "book" }, answer)).toBe('{"id":7}');
    expect(responseJson({ ...route, responseBody: "none" }, answer)).toBe("null");
    expect(responseText(route, answer.subarray(0, 8))).toBe('{"book":');
  });
});

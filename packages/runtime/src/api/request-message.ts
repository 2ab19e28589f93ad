import { badRequest } from "../errors/micro-error.js";
import type { FieldSchema, MessageSchema } from "../method/method-descriptor.js";
import type { Route } from "./api-route.js";

const ID = "micro.api";

/** Where the fields of a request come from, per google/api/http.proto. */
export interface RequestParts {
  /** Path variables by field path (`name`, `book.id`). */
  readonly variables: Readonly<Record<string, string>>;
  /** The query string, without `?`. Read only when the body does not take every field. */
  readonly query: URLSearchParams | undefined;
  /** The parsed JSON body, or `undefined` when there is none. */
  readonly body: unknown;
}

/**
 * The JSON request message of one HTTP request: the body (`*`: the whole message; a field:
 * that field), then path variables, then query parameters for every field the body does
 * not take (nested via dots, repeated by repeating the parameter). Scalars from the path
 * and query are converted with the top-level field schema so `?count=3&on=true` arrive as
 * a number and a boolean; deeper fields stay strings, which proto3 JSON accepts.
 */
export function requestMessage(
  route: Route,
  fields: ReadonlyMap<string, FieldSchema>,
  parts: RequestParts,
): Record<string, unknown> {
  let message: Record<string, unknown>;
  if (route.body === "*") {
    if (parts.body === undefined) message = {};
    else if (isObject(parts.body)) message = parts.body;
    else throw badRequest(ID, "the request body must be a JSON object");
  } else {
    message = {};
    if (route.body !== undefined && parts.body !== undefined) message[route.body] = parts.body;
  }
  if (bodyIsMessage(route, parts.variables)) return message;
  for (const [fieldPath, value] of Object.entries(parts.variables)) {
    assign(message, fieldPath, convert(fields, fieldPath, value), false);
  }
  if (route.body !== "*" && parts.query) {
    for (const [key, value] of parts.query) {
      if (key === "" || key in parts.variables) continue;
      if (route.body !== undefined && (key === route.body || key.startsWith(`${route.body}.`)))
        continue;
      const top = fields.get(key.split(".")[0] as string);
      assign(
        message,
        key,
        convert(fields, key, value),
        top?.repeated === true && !key.includes("."),
      );
    }
  }
  return message;
}

/** True when `requestMessage` is the JSON body itself: `body: "*"` and no path variables. */
export function bodyIsMessage(route: Route, variables: Readonly<Record<string, string>>): boolean {
  return route.body === "*" && isEmpty(variables);
}

/** The part of the response the client gets: a field of it with `response_body`. */
export function responseMessage(route: Route, response: unknown): unknown {
  if (route.responseBody === undefined) return response;
  return isObject(response) ? (response[route.responseBody] ?? null) : null;
}

function assign(target: Record<string, unknown>, path: string, value: unknown, repeated: boolean) {
  const keys = path.split(".");
  if (keys.some((key) => key === "" || UNSAFE_KEYS.has(key))) {
    throw badRequest(ID, `bad request field name ${JSON.stringify(path)}`);
  }
  let node = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as string;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    } else if (isObject(next)) node = next;
    else throw badRequest(ID, `request field ${keys.slice(0, i + 1).join(".")} is not a message`);
  }
  const last = keys[keys.length - 1] as string;
  if (!repeated) {
    node[last] = value;
    return;
  }
  const existing = node[last];
  node[last] = Array.isArray(existing) ? [...existing, value] : [value];
}

/** Keys that would reach `Object.prototype` when assigned. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const NUMBERS = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32", "double", "float"]);

function convert(fields: ReadonlyMap<string, FieldSchema>, path: string, text: string): unknown {
  if (path.includes(".")) return text;
  const field = fields.get(path);
  if (!field || field.kind !== "scalar") return text;
  if (field.type === "bool") {
    if (text === "true") return true;
    if (text === "false") return false;
    throw badRequest(ID, `request field ${path} is a bool; got ${JSON.stringify(text)}`);
  }
  if (NUMBERS.has(field.type)) {
    const value = Number(text);
    if (text.trim() === "" || Number.isNaN(value)) {
      throw badRequest(
        ID,
        `request field ${path} is a number (${field.type}); got ${JSON.stringify(text)}`,
      );
    }
    return value;
  }
  return text;
}

/** Field schemas by name: what `requestMessage` converts with; compute once per schema. */
export function fieldMap(schema: MessageSchema): ReadonlyMap<string, FieldSchema> {
  return new Map(schema.fields.map((f) => [f.name, f] as const));
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

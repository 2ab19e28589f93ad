import type { FieldSchema, MessageSchema } from "../method/method-descriptor.js";
import type { Route } from "./api-route.js";
import type { RouteTable } from "./route-table.js";

/** A JSON Schema (the subset OpenAPI 3.1 documents use here). */
type JsonSchema = Record<string, unknown>;

/** An OpenAPI 3.1 document, as served at `/openapi.json`. */
export interface OpenApiDocument {
  readonly openapi: "3.1.0";
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

const STANDARD_METHODS = new Set([
  "GET",
  "PUT",
  "POST",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "PATCH",
  "TRACE",
]);

/**
 * The routes of the table as OpenAPI 3.1: one operation per route, path variables as
 * path parameters, the remaining top-level fields as query parameters when the body does
 * not take them, request and response schemas from the registered field schemas. Messages
 * nested deeper than the top level are open objects: the registry carries only top-level
 * fields. Custom verbs, which OpenAPI cannot express, are left out.
 */
export function openApiDocument(table: RouteTable): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = {
    "micro.Error": {
      type: "object",
      description: "A micro error, also the body of every error response.",
      properties: {
        id: { type: "string" },
        code: { type: "integer" },
        detail: { type: "string" },
        status: { type: "string" },
      },
      required: ["id", "code", "detail", "status"],
    },
  };
  const schemasOf = new Map<string, MessageSchema>();
  for (const route of table.routes) {
    if (!STANDARD_METHODS.has(route.method)) continue;
    const endpoint = endpointOf(table, route);
    if (!endpoint) continue;
    schemasOf.set(endpoint.request.type, endpoint.request);
    schemasOf.set(endpoint.response.type, endpoint.response);
    const { path, variables } = openApiPath(route.path);
    const operations = (paths[path] ??= {});
    operations[route.method.toLowerCase()] = operation(
      route,
      endpoint.request,
      endpoint.response,
      variables,
    );
  }
  for (const [type, message] of schemasOf) schemas[type] = messageSchema(message);
  return {
    openapi: "3.1.0",
    info: { title: "micro API gateway", version: "1" },
    paths,
    components: { schemas },
  };
}

function endpointOf(table: RouteTable, route: Route) {
  return table.services
    .get(route.service)
    ?.flatMap((r) => r.endpoints)
    .find((e) => e.name === route.endpoint);
}

/** `/v1/{name=users/*}` -> `/v1/{name}`, with the variables in order. */
function openApiPath(template: string): { path: string; variables: string[] } {
  const variables: string[] = [];
  const path = template.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_, name: string) => {
    variables.push(name);
    return `{${name}}`;
  });
  return { path, variables };
}

function operation(
  route: Route,
  request: MessageSchema,
  response: MessageSchema,
  variables: readonly string[],
): Record<string, unknown> {
  const ref = (type: string) => ({ $ref: `#/components/schemas/${type}` });
  const parameters: Record<string, unknown>[] = variables.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: fieldOf(request, name) ?? { type: "string" },
  }));
  if (route.body !== "*") {
    for (const field of request.fields) {
      if (variables.includes(field.name) || field.name === route.body) continue;
      if (field.kind === "message" || field.kind === "map") continue;
      parameters.push({ name: field.name, in: "query", schema: fieldSchema(field) });
    }
  }
  const streamsOut = route.kind === "server_streaming" || route.kind === "bidi_streaming";
  const streamsIn = route.kind === "client_streaming" || route.kind === "bidi_streaming";
  const bodyField = route.body !== undefined && route.body !== "*" ? route.body : undefined;
  const bodySchema =
    bodyField === undefined
      ? ref(request.type)
      : (fieldOf(request, bodyField) ?? { type: "object" });
  const responseSchema =
    route.responseBody === undefined
      ? ref(response.type)
      : (fieldOf(response, route.responseBody) ?? {});
  return {
    operationId: `${route.service}.${route.endpoint}${route.source === "path" ? "" : `.${route.method}.${route.path}`}`,
    summary: `${route.endpoint} of service ${route.service} (${route.kind})`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body !== undefined || streamsIn
      ? {
          requestBody: {
            required: false,
            content: streamsIn
              ? {
                  "application/json": { schema: { type: "array", items: bodySchema } },
                  "application/x-ndjson": { schema: bodySchema },
                }
              : { "application/json": { schema: bodySchema } },
          },
        }
      : {}),
    responses: {
      "200": {
        description: streamsOut ? "a stream of responses" : "the response",
        content: streamsOut
          ? {
              "text/event-stream": { schema: responseSchema },
              "application/x-ndjson": { schema: responseSchema },
            }
          : { "application/json": { schema: responseSchema } },
      },
      default: {
        description: "a micro error",
        content: { "application/json": { schema: ref("micro.Error") } },
      },
    },
  };
}

function fieldOf(message: MessageSchema, name: string): JsonSchema | undefined {
  const field = message.fields.find((f) => f.name === name);
  return field ? fieldSchema(field) : undefined;
}

function messageSchema(message: MessageSchema): JsonSchema {
  return {
    type: "object",
    properties: Object.fromEntries(message.fields.map((f) => [f.name, fieldSchema(f)])),
  };
}

const INTEGERS_32 = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32"]);
const INTEGERS_64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

function fieldSchema(field: FieldSchema): JsonSchema {
  const single = singleSchema(field);
  return field.repeated === true ? { type: "array", items: single } : single;
}

function singleSchema(field: FieldSchema): JsonSchema {
  if (field.kind === "map") return { type: "object", additionalProperties: true };
  if (field.kind === "enum") return { type: "string", description: `enum ${field.type}` };
  if (field.kind === "message") {
    return { type: "object", description: `message ${field.type}` };
  }
  if (field.type === "string") return { type: "string" };
  if (field.type === "bool") return { type: "boolean" };
  if (field.type === "bytes") return { type: "string", contentEncoding: "base64" };
  if (field.type === "double" || field.type === "float") return { type: "number" };
  if (INTEGERS_32.has(field.type)) return { type: "integer", format: field.type };
  // proto3 JSON writes 64-bit integers as strings and reads either.
  if (INTEGERS_64.has(field.type)) return { type: ["integer", "string"], format: field.type };
  return {};
}

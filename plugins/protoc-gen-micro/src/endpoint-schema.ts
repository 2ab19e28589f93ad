import { ScalarType, type DescField, type DescMessage, type DescService } from "@bufbuild/protobuf";
import type { PrintContext } from "./print-context.js";
import type { MicroOptions } from "./options.js";
import type { HttpBinding } from "./proto-options.js";
import { tsProtoFieldName, tsProtoMessageName } from "./ts-proto-names.js";

// Endpoint metadata is printed as plain literals (strings and arrays of objects): it names
// no symbol, so there is nothing to import.

/** A JSON string literal, which is also a valid TypeScript string literal. */
export function literal(value: string): string {
  return JSON.stringify(value);
}

function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}

function fieldLiteral(field: DescField, options: MicroOptions): string {
  const name = literal(tsProtoFieldName(field, options));
  switch (field.fieldKind) {
    case "scalar":
      return `{ name: ${name}, type: ${literal(scalarName(field.scalar))}, kind: "scalar" }`;
    case "enum":
      return `{ name: ${name}, type: ${literal(field.enum.typeName)}, kind: "enum" }`;
    case "message":
      return `{ name: ${name}, type: ${literal(field.message.typeName)}, kind: "message" }`;
    case "list": {
      const [type, kind] =
        field.listKind === "scalar"
          ? [scalarName(field.scalar), "scalar"]
          : field.listKind === "enum"
            ? [field.enum.typeName, "enum"]
            : [field.message.typeName, "message"];
      return `{ name: ${name}, type: ${literal(type)}, kind: ${literal(kind)}, repeated: true }`;
    }
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarName(field.scalar)
          : field.mapKind === "enum"
            ? field.enum.typeName
            : field.message.typeName;
      const type = `map<${scalarName(field.mapKey)}, ${value}>`;
      return `{ name: ${name}, type: ${literal(type)}, kind: "map" }`;
    }
  }
}

/** `{ type, fields }` of a message: its full name and top-level fields, in declaration order. */
export function messageSchemaLiteral(message: DescMessage, options: MicroOptions): string {
  const fields = message.fields.map((field) => fieldLiteral(field, options));
  return `{ type: ${literal(message.typeName)}, fields: [${fields.join(", ")}] }`;
}

/** The `http` array of an endpoint, main rule first. */
export function httpRulesLiteral(bindings: readonly HttpBinding[]): string {
  const rules = bindings.map((b) => {
    const parts = [`method: ${literal(b.method)}`, `path: ${literal(b.path)}`];
    if (b.body !== undefined) parts.push(`body: ${literal(b.body)}`);
    if (b.responseBody !== undefined) parts.push(`responseBody: ${literal(b.responseBody)}`);
    return `{ ${parts.join(", ")} }`;
  });
  return `[${rules.join(", ")}]`;
}

/** Names of the file-local message schema constants, by message. */
export type SchemaNames = ReadonlyMap<DescMessage, string>;

/**
 * Prints one `MessageSchema` constant per message the services' endpoints use, so a message
 * used by many methods is described once. The names (`schema$HelloRequest`) contain a `$`
 * followed by a letter, which neither proto names nor protoplugin's import aliases (`X$1`)
 * can produce, so they never clash. Printed before the descriptors that refer to them.
 */
export function printMessageSchemas(
  c: PrintContext,
  services: readonly DescService[],
): SchemaNames {
  const names = new Map<DescMessage, string>();
  const taken = new Set<string>();
  for (const service of services) {
    for (const method of service.methods) {
      for (const message of [method.input, method.output]) {
        if (names.has(message)) continue;
        const base = `schema$${tsProtoMessageName(message, c.options)}`;
        let name = base;
        for (let i = 2; taken.has(name); i++) name = `${base}$${i}`;
        taken.add(name);
        names.set(message, name);
      }
    }
  }
  if (names.size === 0) return names;
  const type = c.runtimeType("MessageSchema");
  c.f.print(c.f.jsDoc("Request and response schemas of the endpoints below."));
  for (const [message, name] of names) {
    c.f.print("const ", name, ": ", type, " = ", messageSchemaLiteral(message, c.options), ";");
  }
  c.f.print();
  return names;
}

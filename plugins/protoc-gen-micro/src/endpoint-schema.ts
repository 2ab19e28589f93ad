import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { MicroOptions } from "./options.js";
import type { HttpBinding } from "./proto-options.js";
import { tsProtoFieldName } from "./ts-proto-names.js";

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

import type { Contract, ContractMethod } from "./contracts.js";

/** Line width the printed code keeps to (prettier's setting in scaffolded projects). */
const WIDTH = 100;

/** A group of names one import line brings in. */
export interface ImportLine {
  readonly specifier: string;
  readonly types: readonly string[];
  readonly values: readonly string[];
}

/**
 * `import type { A } from "m";` or `import { type A, b } from "m";` (types stay type-only
 * under `verbatimModuleSyntax`), broken over lines the way prettier does when long.
 */
export function printImport(line: ImportLine): string {
  const typeOnly = line.values.length === 0;
  const keyword = typeOnly ? "import type" : "import";
  const names = [
    ...line.types.map((name) => (typeOnly ? name : `type ${name}`)),
    ...line.values,
  ].sort((a, b) => a.replace(/^type /, "").localeCompare(b.replace(/^type /, "")));
  const flat = `${keyword} { ${names.join(", ")} } from "${line.specifier}";`;
  if (flat.length <= WIDTH) return flat;
  return `${keyword} {\n${names.map((name) => `  ${name},\n`).join("")}} from "${line.specifier}";`;
}

/**
 * A method that satisfies the interface and fails loudly until written: it throws the
 * runtime's 501 `notImplemented`, and a TODO marks it. Parameters are `_`-prefixed so
 * `noUnusedParameters` accepts the stub.
 */
export function printMethodStub(
  contract: Contract,
  method: ContractMethod,
  indent: string,
): string {
  const { async, star, returnType } = stubShape(method.returnType);
  const what =
    contract.kind === "service"
      ? `${contract.protoName.split(".").pop() ?? contract.baseName}.${method.protoName}`
      : `subscriber of ${contract.protoName}`;
  const params = method.params.map((param) => `_${param.name}: ${param.type}`);
  const head = `${indent}${async ? "async " : ""}${star ? "*" : ""}${method.name}(`;
  const tail = `): ${returnType} {`;
  const flat = `${head}${params.join(", ")}${tail}`;
  const signature =
    flat.length <= WIDTH
      ? flat
      : `${head}\n${params.map((param) => `${indent}  ${param},\n`).join("")}${indent}${tail}`;
  const args = [
    JSON.stringify(contract.protoName),
    JSON.stringify(`${what} is not implemented yet`),
  ];
  const inner = `${indent}  `;
  const flatThrow = `${inner}throw notImplemented(${args.join(", ")});`;
  const throwLine =
    flatThrow.length <= WIDTH
      ? flatThrow
      : `${inner}throw notImplemented(\n${args.map((arg) => `${inner}  ${arg},\n`).join("")}${inner});`;
  return [`${indent}// TODO: implement ${what}.`, signature, throwLine, `${indent}}`].join("\n");
}

/**
 * `X | Promise<X>` becomes an async method returning `Promise<X>`; `AsyncIterable<X>` an
 * async generator (so the error surfaces while iterating, where stream callers look).
 */
function stubShape(returnType: string): { async: boolean; star: boolean; returnType: string } {
  const either = /^(.+) \| Promise<(.+)>$/.exec(returnType);
  if (either && either[1] === either[2])
    return { async: true, star: false, returnType: `Promise<${either[1]}>` };
  if (/^AsyncIterable<.+>$/.test(returnType)) return { async: true, star: true, returnType };
  if (/^Promise<.+>$/.test(returnType)) return { async: true, star: false, returnType };
  return { async: false, star: false, returnType };
}

/** A new handler or subscriber file: imports, then a class with a stub per method. */
export function printImplementationFile(
  contract: Contract,
  className: string,
  imports: readonly ImportLine[],
): string {
  const doc =
    contract.kind === "service"
      ? `/** Serves ${contract.protoName}. Made by micro generate: yours to edit, it will not be rewritten. */`
      : `/** Receives the messages of topic "${contract.protoName}". Made by micro generate: yours to edit. */`;
  const methods = contract.methods.map((method) => printMethodStub(contract, method, "  "));
  return [
    ...imports.map(printImport),
    "",
    doc,
    `export class ${className} implements ${contract.interfaceName} {`,
    methods.join("\n\n"),
    "}",
    "",
  ].join("\n");
}

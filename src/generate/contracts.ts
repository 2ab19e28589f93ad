import { dirname, resolve } from "node:path";
import type { Node, Project, SourceFile, TypeNode } from "ts-morph";
import type { TsMorph } from "./ts-morph-loader.js";

/** Where a type used in a generated signature comes from. */
export interface TypeOrigin {
  readonly importedName: string;
  /** An absolute file path (with the import suffix the generated code uses) or a package. */
  readonly module: { readonly file: string } | { readonly packageName: string };
}

/** One method a user class must have, as the generated interface declares it. */
export interface ContractMethod {
  /** The interface's method name (`hello`), the one the class must use. */
  readonly name: string;
  /** The rpc as written in the proto (`Hello`), or `handle` for subscribers. */
  readonly protoName: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly returnType: string;
}

/**
 * Something generated code expects user code to implement: a service's `XHandler` or a
 * topic's `TSubscriber`, with its registration function.
 */
export interface Contract {
  readonly kind: "service" | "topic";
  /** `GreeterHandler` / `GreetedSubscriber`. */
  readonly interfaceName: string;
  /** `registerGreeterHandler` / `registerGreetedSubscriber`. */
  readonly registerFunction: string;
  /** `Greeter` / `Greeted`: the service or message name the generated names start with. */
  readonly baseName: string;
  /** `greeter.v1.Greeter` or the topic name `greeter.greeted`. */
  readonly protoName: string;
  /** Absolute path of the `.micro.ts` in the project's out folder. */
  readonly microFile: string;
  /** The same file as imports name it (`.../greeter.micro.js`). */
  readonly microModule: string;
  readonly methods: readonly ContractMethod[];
  /** Origins of the type names the method signatures use, by local name. */
  readonly types: ReadonlyMap<string, TypeOrigin>;
  /** Module the generated code imports the runtime from (`@micro-ts/runtime`). */
  readonly runtimeModule: string;
  /** `.js` or `""`: the suffix the generated code puts on relative imports. */
  readonly importSuffix: string;
}

/** A generated file: its path in the project and its text (which may come from a temp dir). */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** Reads every contract from generated `.micro.ts` files, parsing only (no type checker). */
export function readContracts(
  morph: TsMorph,
  project: Project,
  files: readonly GeneratedFile[],
): Contract[] {
  const contracts: Contract[] = [];
  for (const file of files) {
    const source = project.createSourceFile(file.path, file.text, { overwrite: true });
    contracts.push(...contractsOf(morph, source));
  }
  return contracts.sort((a, b) =>
    `${a.microFile}#${a.interfaceName}`.localeCompare(`${b.microFile}#${b.interfaceName}`),
  );
}

function contractsOf(morph: TsMorph, source: SourceFile): Contract[] {
  const { SyntaxKind } = morph;
  const importSuffix = relativeImportSuffix(source);
  const microFile = source.getFilePath() as string;
  const microModule = microFile.replace(/\.ts$/, importSuffix);
  const runtimeModule =
    source
      .getImportDeclarations()
      .find((decl) =>
        decl
          .getNamedImports()
          .some(
            (named) => named.getName() === "HandlerContext" || named.getName() === "MessageContext",
          ),
      )
      ?.getModuleSpecifierValue() ?? "@micro-ts/runtime";
  const contracts: Contract[] = [];
  for (const iface of source.getInterfaces()) {
    const name = iface.getName();
    const kind = name.endsWith("Handler")
      ? "service"
      : name.endsWith("Subscriber")
        ? "topic"
        : undefined;
    if (kind === undefined || !iface.isExported()) continue;
    const baseName = name.slice(0, -(kind === "service" ? "Handler" : "Subscriber").length);
    const registerFunction = `register${name}`;
    if (!source.getFunction(registerFunction)?.isExported()) continue;
    const descriptor = source.getVariableDeclaration(
      kind === "service" ? `${baseName}Descriptor` : `${baseName}Topic`,
    );
    const literal = descriptor?.getInitializerIfKind(SyntaxKind.ObjectLiteralExpression);
    const stringProperty = (key: string) =>
      literal
        ?.getProperty(key)
        ?.asKind(SyntaxKind.PropertyAssignment)
        ?.getInitializerIfKind(SyntaxKind.StringLiteral)
        ?.getLiteralValue();
    const protoName = stringProperty(kind === "service" ? "typeName" : "topic") ?? baseName;
    const methodsLiteral = literal
      ?.getProperty("methods")
      ?.asKind(SyntaxKind.PropertyAssignment)
      ?.getInitializerIfKind(SyntaxKind.ObjectLiteralExpression);
    const rpcNames =
      methodsLiteral
        ?.getProperties()
        .map((p) => p.asKind(SyntaxKind.PropertyAssignment)?.getName() ?? "") ?? [];
    const types = new Map<string, TypeOrigin>();
    const methods = iface.getMethods().map((method, index): ContractMethod => {
      const params = method.getParameters().map((param) => {
        const typeNode = param.getTypeNode();
        if (typeNode) collectTypes(morph, source, typeNode, types);
        return { name: param.getName(), type: typeNode?.getText() ?? "unknown" };
      });
      const returnNode = method.getReturnTypeNode();
      if (returnNode) collectTypes(morph, source, returnNode, types);
      return {
        name: method.getName(),
        protoName: kind === "service" ? (rpcNames[index] ?? method.getName()) : method.getName(),
        params,
        returnType: returnNode?.getText() ?? "void",
      };
    });
    contracts.push({
      kind,
      interfaceName: name,
      registerFunction,
      baseName,
      protoName,
      microFile,
      microModule,
      methods,
      types,
      runtimeModule,
      importSuffix,
    });
  }
  return contracts;
}

/** Records where each type name in `node` comes from; globals (Promise, ...) are skipped. */
function collectTypes(
  morph: TsMorph,
  source: SourceFile,
  node: TypeNode,
  into: Map<string, TypeOrigin>,
): void {
  const { SyntaxKind } = morph;
  const references = [
    ...(node.isKind(SyntaxKind.TypeReference) ? [node] : []),
    ...node.getDescendantsOfKind(SyntaxKind.TypeReference),
  ];
  for (const reference of references) {
    const local = leftmostName(reference.getTypeName());
    if (into.has(local)) continue;
    const origin = originOf(source, local);
    if (origin) into.set(local, origin);
  }
}

function leftmostName(name: Node): string {
  const text = name.getText();
  const dot = text.indexOf(".");
  return dot === -1 ? text : text.slice(0, dot);
}

function originOf(source: SourceFile, local: string): TypeOrigin | undefined {
  for (const decl of source.getImportDeclarations()) {
    for (const named of decl.getNamedImports()) {
      if ((named.getAliasNode()?.getText() ?? named.getName()) !== local) continue;
      const specifier = decl.getModuleSpecifierValue();
      const module = specifier.startsWith(".")
        ? { file: resolve(dirname(source.getFilePath()), specifier) }
        : { packageName: specifier };
      return { importedName: named.getName(), module };
    }
  }
  const declared =
    source.getInterface(local) ??
    source.getTypeAlias(local) ??
    source.getClass(local) ??
    source.getEnum(local);
  if (declared?.isExported()) {
    return {
      importedName: local,
      module: { file: source.getFilePath().replace(/\.ts$/, relativeImportSuffix(source)) },
    };
  }
  return undefined;
}

/** `.js` when the file's relative imports end in `.js`, else `""`. */
function relativeImportSuffix(source: SourceFile): string {
  const relative = source
    .getImportDeclarations()
    .map((decl) => decl.getModuleSpecifierValue())
    .filter((specifier) => specifier.startsWith("."));
  if (relative.length === 0) return ".js";
  return relative.every((specifier) => specifier.endsWith(".js")) ? ".js" : "";
}

import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type {
  ClassDeclaration,
  ImportDeclaration,
  ImportSpecifier,
  Project,
  SourceFile,
} from "ts-morph";
import type { Contract, ContractMethod } from "./contracts.js";
import type { ProjectLayout } from "./project-layout.js";
import { FileEdits } from "./source-edits.js";
import {
  type ImportLine,
  printImplementationFile,
  printImport,
  printMethodStub,
} from "./stub-printer.js";
import type { TsMorph } from "./ts-morph-loader.js";

/** A user source file `micro generate` creates or inserts into. */
export interface SourceChange {
  readonly path: string;
  /** Absent for a file it creates. */
  readonly before?: string;
  readonly after: string;
}

/** What syncing user code with the contracts does; nothing is written by planning. */
export interface SyncPlan {
  readonly changes: readonly SourceChange[];
  /** One line per addition, e.g. `src/handlers/greeter.ts: Greeter gets bye (rpc Greeter.Bye)`. */
  readonly actions: readonly string[];
  /** The same gaps phrased for `micro check`: what the user code lacks. */
  readonly missing: readonly string[];
  /** What the user must act on: removed rpcs, services and topics still implemented. */
  readonly warnings: readonly string[];
}

/** Inputs of `planSync`. */
export interface SyncInput {
  readonly morph: TsMorph;
  readonly project: Project;
  readonly layout: ProjectLayout;
  /** Contracts of the fresh generation. */
  readonly contracts: readonly Contract[];
  /** Contracts of the generation on disk before this run, to report what was removed. */
  readonly previous: readonly Contract[];
  /** The user's TypeScript files under src/ (outside the out folders), by absolute path. */
  readonly sources: ReadonlyMap<string, string>;
}

interface Implementation {
  readonly cls: ClassDeclaration;
  readonly file: SourceFile;
  readonly members: ReadonlySet<string>;
}

/**
 * Computes the insertions that make user code implement every contract: missing methods
 * become stubs in the class that implements the interface; a contract nobody implements
 * gets a new file and a registration in src/main.ts. Existing text is never changed.
 */
export function planSync(input: SyncInput): SyncPlan {
  const { morph, project, layout } = input;
  const files = new Map<string, SourceFile>();
  for (const [path, text] of input.sources) {
    files.set(path, project.createSourceFile(path, text, { overwrite: true }));
  }
  const implementations = indexImplementations(morph, files);
  const edits = new Map<string, FileEdits>();
  const editsOf = (file: SourceFile) => {
    const path = file.getFilePath() as string;
    let found = edits.get(path);
    if (!found) edits.set(path, (found = new FileEdits(path, file.getFullText())));
    return found;
  };
  const created: SourceChange[] = [];
  const actions: string[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];
  const show = (path: string) => relative(layout.dir, path).split(sep).join("/");
  const site = registrationSite(morph, files, layout);
  const siteLocals = site ? localNames(site.file) : new Set<string>();

  for (const contract of input.contracts) {
    const found =
      implementations.get(contractKey(contract.microFile, contract.interfaceName)) ?? [];
    for (const impl of found) {
      const absent = contract.methods.filter((method) => !impl.members.has(method.name));
      if (absent.length === 0) continue;
      addMethods(morph, editsOf(impl.file), impl, contract, absent);
      for (const method of absent) {
        missing.push(
          `${show(impl.file.getFilePath())}: ${impl.cls.getName() ?? "class"} lacks ${method.name} (${describe(contract, method)})`,
        );
        actions.push(
          `${show(impl.file.getFilePath())}: ${impl.cls.getName() ?? "class"} gets ${method.name} (${describe(contract, method)})`,
        );
      }
    }
    if (found.length > 0) continue;

    const folder = contract.kind === "service" ? layout.handlersDir : layout.subscribersDir;
    const path = freePath(folder, kebab(contract.baseName), input.sources, created);
    const taken = new Set([...contract.types.keys(), contract.interfaceName, ...siteLocals]);
    const className = freeName(
      contract.kind === "service" ? contract.baseName : `On${contract.baseName}`,
      taken,
    );
    const imports = importLines(path, contract, contract.methods, new Set(), true);
    created.push({ path, after: printImplementationFile(contract, className, imports) });
    missing.push(
      `no class in src/ implements ${contract.interfaceName} (${contract.kind} ${contract.protoName})`,
    );
    actions.push(
      `${show(path)}: new ${className} implements ${contract.interfaceName} (${contract.kind} ${contract.protoName})`,
    );

    const statement = `${contract.registerFunction}(${site?.server ?? "server"}, new ${className}());`;
    if (!site) {
      warnings.push(
        `found no register...Handler/Subscriber call in src/ and no .run() in ${show(layout.mainFile)} ` +
          `to place ${statement} next to; add it yourself`,
      );
      continue;
    }
    register(site, statement, contract, className, path, siteLocals, editsOf(site.file));
    actions.push(
      `${show(site.file.getFilePath())}: registers ${className} with ${contract.registerFunction}`,
    );
  }

  warnings.push(...removals(input, implementations, show));
  const changes: SourceChange[] = [...created];
  for (const edit of edits.values()) {
    if (!edit.empty)
      changes.push({ path: edit.path, before: edit.original ?? "", after: edit.apply() });
  }
  return {
    changes: changes.sort((a, b) => a.path.localeCompare(b.path)),
    actions,
    missing,
    warnings,
  };
}

function describe(contract: Contract, method: ContractMethod): string {
  return contract.kind === "service"
    ? `rpc ${contract.protoName}.${method.protoName}`
    : `topic ${contract.protoName}`;
}

/** Classes by the generated interface they implement (`<micro file without .ts>#<name>`). */
function indexImplementations(
  morph: TsMorph,
  files: ReadonlyMap<string, SourceFile>,
): Map<string, Implementation[]> {
  const index = new Map<string, Implementation[]>();
  for (const file of files.values()) {
    for (const cls of file.getClasses()) {
      for (const clause of cls.getImplements()) {
        const target = resolveName(file, clause.getExpression().getText());
        if (!target) continue;
        const key = contractKey(target.module, target.name);
        const list = index.get(key) ?? [];
        list.push({ cls, file, members: memberNames(morph, cls, file, files, 0) });
        index.set(key, list);
      }
    }
  }
  return index;
}

function contractKey(module: string, name: string): string {
  return `${module.replace(/\.(ts|js|mts|mjs)$/, "")}#${name}`;
}

/** Resolves `Name` or `ns.Name` to the absolute module path and exported name it imports. */
function resolveName(file: SourceFile, text: string): { module: string; name: string } | undefined {
  const [first, ...rest] = text.split(".");
  for (const decl of file.getImportDeclarations()) {
    const specifier = decl.getModuleSpecifierValue();
    if (!specifier.startsWith(".")) continue;
    const module = resolve(dirname(file.getFilePath()), specifier);
    if (rest.length === 1 && decl.getNamespaceImport()?.getText() === first) {
      return { module, name: rest[0] as string };
    }
    if (rest.length > 0) continue;
    for (const named of decl.getNamedImports()) {
      if ((named.getAliasNode()?.getText() ?? named.getName()) === first)
        return { module, name: named.getName() };
    }
  }
  return undefined;
}

/** Instance member names of the class and of base classes found among the user's files. */
function memberNames(
  morph: TsMorph,
  cls: ClassDeclaration,
  file: SourceFile,
  files: ReadonlyMap<string, SourceFile>,
  depth: number,
): Set<string> {
  const names = new Set<string>();
  for (const member of cls.getMembers()) {
    if (
      morph.Node.isConstructorDeclaration(member) ||
      morph.Node.isClassStaticBlockDeclaration(member)
    )
      continue;
    if ("isStatic" in member && member.isStatic()) continue;
    if ("getName" in member) names.add(member.getName());
  }
  const base = cls.getExtends()?.getExpression().getText();
  if (base === undefined || depth > 8) return names;
  const local = file.getClass(base);
  const target = local ? { file, name: base } : baseInOtherFile(file, base, files);
  const baseClass = target?.file.getClass(target.name);
  if (target && baseClass) {
    for (const name of memberNames(morph, baseClass, target.file, files, depth + 1))
      names.add(name);
  }
  return names;
}

function baseInOtherFile(file: SourceFile, base: string, files: ReadonlyMap<string, SourceFile>) {
  const target = resolveName(file, base);
  if (!target) return undefined;
  const other =
    files.get(target.module.replace(/\.(js|mjs)$/, ".ts")) ?? files.get(`${target.module}.ts`);
  return other ? { file: other, name: target.name } : undefined;
}

/** Names a file already binds at top level: imports and declarations. */
function localNames(file: SourceFile): Set<string> {
  const names = new Set<string>();
  for (const decl of file.getImportDeclarations()) {
    const def = decl.getDefaultImport();
    if (def) names.add(def.getText());
    const ns = decl.getNamespaceImport();
    if (ns) names.add(ns.getText());
    for (const named of decl.getNamedImports())
      names.add(named.getAliasNode()?.getText() ?? named.getName());
  }
  for (const [name] of file.getExportedDeclarations()) names.add(name);
  for (const decl of [
    ...file.getClasses(),
    ...file.getInterfaces(),
    ...file.getFunctions(),
    ...file.getTypeAliases(),
    ...file.getEnums(),
  ]) {
    const name = decl.getName();
    if (name) names.add(name);
  }
  for (const statement of file.getVariableStatements()) {
    for (const decl of statement.getDeclarations()) names.add(decl.getName());
  }
  return names;
}

/** Import lines `file` needs for `methods` of `contract`, skipping names it already binds. */
function importLines(
  file: string,
  contract: Contract,
  methods: readonly ContractMethod[],
  bound: ReadonlySet<string>,
  withInterface: boolean,
): ImportLine[] {
  const lines = new Map<string, { types: Set<string>; values: Set<string> }>();
  const add = (specifier: string, name: string, value: boolean) => {
    if (bound.has(name.split(" as ").pop() as string)) return;
    const line = lines.get(specifier) ?? { types: new Set<string>(), values: new Set<string>() };
    (value ? line.values : line.types).add(name);
    lines.set(specifier, line);
  };
  const used = new Set<string>();
  for (const method of methods) {
    for (const text of [...method.params.map((p) => p.type), method.returnType]) {
      for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) used.add(word);
    }
  }
  for (const [local, origin] of contract.types) {
    if (!used.has(local)) continue;
    const specifier =
      "file" in origin.module
        ? relativeSpecifier(file, origin.module.file)
        : origin.module.packageName;
    add(
      specifier,
      origin.importedName === local ? local : `${origin.importedName} as ${local}`,
      false,
    );
  }
  if (withInterface)
    add(relativeSpecifier(file, contract.microModule), contract.interfaceName, false);
  add(contract.runtimeModule, "notImplemented", true);
  const ordered = [...lines.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return ordered.map(([specifier, line]) => ({
    specifier,
    types: [...line.types],
    values: [...line.values],
  }));
}

/** Packages first, then relative modules, as the repository orders imports. */
function rank(specifier: string): number {
  return specifier.startsWith(".") ? 1 : 0;
}

function relativeSpecifier(fromFile: string, target: string): string {
  const path = relative(dirname(fromFile), target).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

function addMethods(
  morph: TsMorph,
  edits: FileEdits,
  impl: Implementation,
  contract: Contract,
  missing: readonly ContractMethod[],
): void {
  const { cls, file } = impl;
  const text = file.getFullText();
  const members = cls.getMembers();
  const first = members[0];
  const indent = first ? (/[ \t]*$/.exec(text.slice(0, first.getStart()))?.[0] ?? "  ") : "  ";
  const stubs = missing
    .map((method) => printMethodStub(contract, method, indent || "  "))
    .join("\n\n");
  const last = members[members.length - 1];
  if (last) {
    edits.insert(last.getEnd(), `\n\n${stubs}`);
  } else {
    const open = cls.getFirstChildByKindOrThrow(morph.SyntaxKind.OpenBraceToken).getEnd();
    const close = cls.getEnd() - 1;
    edits.insert(open, `\n${stubs}${text.slice(open, close).includes("\n") ? "" : "\n"}`);
  }
  insertImports(
    edits,
    file,
    importLines(file.getFilePath(), contract, missing, localNames(file), false),
  );
}

/**
 * Adds names to the file's imports: into an existing import of the same module when there
 * is one (so main.ts keeps one import per module), else as a new line after the last import.
 */
function insertImports(edits: FileEdits, file: SourceFile, lines: readonly ImportLine[]): void {
  const fresh: ImportLine[] = [];
  for (const line of lines) {
    const decls = file
      .getImportDeclarations()
      .filter(
        (decl) =>
          decl.getModuleSpecifierValue() === line.specifier && decl.getNamedImports().length > 0,
      );
    const typeOnly = decls.find((decl) => decl.isTypeOnly());
    const mixed = decls.find((decl) => !decl.isTypeOnly());
    if (line.values.length === 0 && typeOnly) mergeNames(edits, file, typeOnly, line.types);
    else if (mixed)
      mergeNames(edits, file, mixed, [...line.types.map((name) => `type ${name}`), ...line.values]);
    else fresh.push(line);
  }
  if (fresh.length === 0) return;
  const printed = fresh.map(printImport).join("\n");
  const imports = file.getImportDeclarations();
  const last = imports[imports.length - 1];
  if (last) edits.insert(last.getEnd(), `\n${printed}`);
  else edits.insert(0, `${printed}\n\n`);
}

/** Inserts names after the last one of `{ ... }`, following its one-line or multi-line layout. */
function mergeNames(
  edits: FileEdits,
  file: SourceFile,
  decl: ImportDeclaration,
  names: readonly string[],
): void {
  const named = decl.getNamedImports();
  const last = named[named.length - 1] as ImportSpecifier;
  const text = file.getFullText();
  const close = text.indexOf("}", last.getEnd());
  const between = text.slice(last.getEnd(), close);
  const multiline = text.slice(decl.getStart(), close).includes("\n");
  if (!multiline) {
    edits.insert(last.getEnd(), names.map((name) => `, ${name}`).join(""));
    return;
  }
  const indent = /[ \t]*$/.exec(text.slice(0, last.getStart()))?.[0] ?? "  ";
  const comma = between.indexOf(",");
  if (comma === -1)
    edits.insert(last.getEnd(), names.map((name) => `,\n${indent}${name}`).join(""));
  else edits.insert(last.getEnd() + comma + 1, names.map((name) => `\n${indent}${name},`).join(""));
}

/** Where new registrations go: after the last one, or before the service runs. */
interface RegistrationSite {
  readonly file: SourceFile;
  /** Registrations are inserted after this position. */
  readonly at: number;
  /** Whether `at` ends a registration (one per line) or another statement (blank line first). */
  readonly afterRegistration: boolean;
  /** The server expression, e.g. `service.server`. */
  readonly server: string;
  /** Indentation of the anchor statement, repeated for the new one. */
  readonly indent: string;
}

/**
 * Finds the last `registerXHandler(...)`/`registerXSubscriber(...)` statement in src/
 * (main.ts first, then service.ts, then the rest), at any depth, so projects that build
 * the service in a function (`createXService()`) work too; else main.ts's `.run()`.
 */
function registrationSite(
  morph: TsMorph,
  files: ReadonlyMap<string, SourceFile>,
  layout: ProjectLayout,
): RegistrationSite | undefined {
  const { SyntaxKind } = morph;
  const serviceFile = join(layout.srcDir, "service.ts");
  const ordered = [...files.values()].sort(
    (a, b) =>
      rankFile(a.getFilePath()) - rankFile(b.getFilePath()) ||
      a.getFilePath().localeCompare(b.getFilePath()),
  );
  function rankFile(path: string): number {
    return path === layout.mainFile ? 0 : path === serviceFile ? 1 : 2;
  }
  for (const file of ordered) {
    const calls = file.getDescendantsOfKind(SyntaxKind.ExpressionStatement).flatMap((statement) => {
      const call = statement.getExpressionIfKind(SyntaxKind.CallExpression);
      return call && /^register\w+(Handler|Subscriber)$/.test(call.getExpression().getText())
        ? [{ statement, server: call.getArguments()[0]?.getText() }]
        : [];
    });
    const last = calls[calls.length - 1];
    if (last?.server !== undefined) {
      return {
        file,
        at: last.statement.getEnd(),
        afterRegistration: true,
        server: last.server,
        indent: indentOf(file, last.statement.getStart()),
      };
    }
  }
  const main = files.get(layout.mainFile);
  const statements = main?.getStatements() ?? [];
  const runIndex = statements.findIndex((statement) =>
    /\b[\w$.]+\.run\(/.test(statement.getText()),
  );
  const receiver = /\b([\w$.]+)\.run\(/.exec(statements[runIndex]?.getText() ?? "")?.[1];
  const before = runIndex > 0 ? statements[runIndex - 1] : undefined;
  if (!main || !before || receiver === undefined) return undefined;
  return {
    file: main,
    at: before.getEnd(),
    afterRegistration: false,
    server: `${receiver}.server`,
    indent: indentOf(main, statements[runIndex]?.getStart() ?? 0),
  };
}

/** The whitespace before `position` on its line. */
function indentOf(file: SourceFile, position: number): string {
  const text = file.getFullText();
  return /[ \t]*$/.exec(text.slice(text.lastIndexOf("\n", position - 1) + 1, position))?.[0] ?? "";
}

/** Inserts the registration statement and the imports it needs. */
function register(
  site: RegistrationSite,
  statement: string,
  contract: Contract,
  className: string,
  classFile: string,
  locals: Set<string>,
  edits: FileEdits,
): void {
  const file = site.file;
  edits.insert(site.at, `${site.afterRegistration ? "\n" : "\n\n"}${site.indent}${statement}`);
  const lines: ImportLine[] = [];
  if (!locals.has(contract.registerFunction)) {
    lines.push({
      specifier: relativeSpecifier(file.getFilePath(), contract.microModule),
      types: [],
      values: [contract.registerFunction],
    });
  }
  lines.push({
    specifier: relativeSpecifier(
      file.getFilePath(),
      classFile.replace(/\.ts$/, contract.importSuffix),
    ),
    types: [],
    values: [className],
  });
  insertImports(edits, file, lines);
  locals.add(contract.registerFunction);
  locals.add(className);
}

/** Warnings for implemented rpcs, services and topics the protos no longer declare. */
function removals(
  input: SyncInput,
  implementations: ReadonlyMap<string, Implementation[]>,
  show: (path: string) => string,
): string[] {
  const warnings: string[] = [];
  const fresh = new Map(input.contracts.map((c) => [contractKey(c.microFile, c.interfaceName), c]));
  for (const old of input.previous) {
    const key = contractKey(old.microFile, old.interfaceName);
    const now = fresh.get(key);
    for (const impl of implementations.get(key) ?? []) {
      const where = `${show(impl.file.getFilePath())}: ${impl.cls.getName() ?? "class"}`;
      if (!now) {
        warnings.push(
          `${where} implements ${old.interfaceName}, which is no longer generated (${old.kind} ${old.protoName} was removed or renamed): ` +
            `delete the class and its ${old.registerFunction} call, or move the code`,
        );
        continue;
      }
      const current = new Set(now.methods.map((m) => m.name));
      for (const method of old.methods) {
        if (!current.has(method.name) && impl.members.has(method.name)) {
          warnings.push(
            `${where}.${method.name} serves rpc ${old.protoName}.${method.protoName}, which was removed or renamed: ` +
              `delete the method or keep it as a helper`,
          );
        }
      }
    }
  }
  return warnings;
}

/** `FooService` -> `foo-service`, `HTTPApi` -> `http-api`, `lower_svc` -> `lower-svc`. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/[_\s]+/g, "-")
    .replace(/-+/g, "-")
    .toLowerCase();
}

function freePath(
  folder: string,
  base: string,
  sources: ReadonlyMap<string, string>,
  created: readonly SourceChange[],
): string {
  for (let n = 1; ; n++) {
    const path = join(folder, `${n === 1 ? base : `${base}-${n}`}.ts`);
    if (!sources.has(path) && !existsSync(path) && !created.some((c) => c.path === path))
      return path;
  }
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  for (const candidate of [base, `${base}Service`, `${base}Impl`])
    if (!taken.has(candidate)) return candidate;
  for (let n = 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

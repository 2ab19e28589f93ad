import type { DescMethod } from "@bufbuild/protobuf";

/**
 * Names a client or handler method must not take: reserved words (legal as property names,
 * but awkward in user classes and tools that sync them), `constructor` (a class member of that
 * name is the constructor), `then` (makes a client object thenable, so `await` would call it)
 * and `Object.prototype` members a class would silently shadow.
 */
const unsafeNames = new Set([
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "arguments",
  "eval",
  "constructor",
  "then",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

/**
 * lowerCamel of an rpc name: underscores join words, and a leading acronym is lower-cased
 * as a whole (`SayHello` -> `sayHello`, `HTTPGet` -> `httpGet`, `get_user` -> `getUser`).
 */
export function lowerCamel(name: string): string {
  const camel = name
    .replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase())
    .replace(/_+$/, "");
  const lead = /^[A-Z]+/.exec(camel)?.[0] ?? "";
  if (lead.length === 0) return camel;
  // In `HTTPGet` the `G` starts the next word; in `HTTP` or `HTTP2` the whole run is one word.
  const cut =
    lead.length > 1 && /[a-z]/.test(camel.charAt(lead.length)) ? lead.length - 1 : lead.length;
  return camel.slice(0, cut).toLowerCase() + camel.slice(cut);
}

/**
 * The client/handler method name of each rpc of a service: lowerCamel, then a trailing `_`
 * while the name is unsafe or already taken by an earlier rpc, so the result is deterministic
 * (declaration order) and every name is a valid, distinct class method name.
 */
export function methodNames(methods: readonly DescMethod[]): Map<DescMethod, string> {
  const taken = new Set<string>();
  const names = new Map<DescMethod, string>();
  for (const method of methods) {
    let name = lowerCamel(method.name);
    if (name === "") name = "_";
    while (unsafeNames.has(name) || taken.has(name)) name += "_";
    taken.add(name);
    names.set(method, name);
  }
  return names;
}

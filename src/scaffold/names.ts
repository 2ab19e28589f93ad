import { builtinModules } from "node:module";

/** The names a project derives from its npm package name. */
export interface ProjectNames {
  /** The npm package name, e.g. `@acme/order-service`. */
  readonly packageName: string;
  /** The registered service name: the unscoped package name, e.g. `order-service`. */
  readonly serviceName: string;
  /** kebab-case file name base, e.g. `order-service`. */
  readonly kebab: string;
  /** The proto package and folder (`order_service` -> `proto/order_service/v1/`). */
  readonly protoPackage: string;
  /** PascalCase, the proto service name: `OrderService`. */
  readonly pascal: string;
  /** lowerCamel, for variables: `orderService`. */
  readonly camel: string;
}

/** Words a project name must not be: npm's own blacklist and JavaScript's reserved words. */
const reserved = new Set([
  "node_modules",
  "favicon.ico",
  ...builtinModules,
  ..."break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield await".split(
    " ",
  ),
]);

/**
 * Why `name` cannot be a project name, or undefined when it can: it must be a valid npm
 * package name (lowercase, url-safe, at most 214 characters, optionally scoped), must not
 * reach outside its folder, must not be reserved, and must start with a letter so the proto
 * package and service names derived from it are valid.
 */
export function checkProjectName(name: string): string | undefined {
  const hint = "use lowercase letters, digits and dashes, e.g. order-service";
  if (name === "") return `a project name is required (${hint})`;
  if (name.includes("..") || name.includes("\\") || name.startsWith("/")) {
    return `"${name}" is not a valid project name: it must not contain "..", "\\" or start with "/" (${hint})`;
  }
  if (name.length > 214) return `"${name}" is longer than npm's 214 characters`;
  const match = /^(?:@([a-z0-9][a-z0-9._~-]*)\/)?([a-z0-9._~-]+)$/.exec(name);
  if (match === null) {
    return `"${name}" is not a valid npm package name (${hint}; a scope is written @scope/name)`;
  }
  const base = match[2] as string;
  if (reserved.has(base) || reserved.has(name)) {
    return `"${name}" is a reserved name (a Node.js built-in module, an npm blacklisted name or a JavaScript keyword); choose another`;
  }
  if (!/^[a-z]/.test(base)) return `"${name}" must start with a letter (${hint})`;
  if (!/[a-z0-9]$/.test(base)) return `"${name}" must end with a letter or digit (${hint})`;
  return undefined;
}

/** The names derived from a valid project name (see `checkProjectName`). */
export function projectNames(packageName: string): ProjectNames {
  const serviceName = packageName.replace(/^@[^/]+\//, "");
  const words = serviceName.split(/[^a-z0-9]+/).filter((word) => word !== "");
  const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
  return {
    packageName,
    serviceName,
    kebab: words.join("-"),
    protoPackage: words.join("_"),
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
  };
}

/** kebab-case of a PascalCase or snake_case identifier, for file names: `OrderService` -> `order-service`. */
export function kebabCase(identifier: string): string {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
}

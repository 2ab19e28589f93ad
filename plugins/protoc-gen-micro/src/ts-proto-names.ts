import type { DescField, DescFile, DescMessage } from "@bufbuild/protobuf";
import { posix } from "node:path";
import type { MicroOptions } from "./options.js";

// ts-proto decides the names this plugin imports; these functions mirror its rules
// (src/case.ts, src/visit.ts, src/utils.ts of ts-proto 2.x) so an import always names
// something ts-proto exported.

/** ts-proto's `snakeToCamel`: all-caps words are lower-cased, mixed-case words keep their case. */
export function snakeToCamel(s: string): string {
  const hasLowerCase = /[a-z]/.test(s);
  return s
    .split("_")
    .map((word, i) => {
      const w = hasLowerCase ? word : word.toLowerCase();
      return i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1);
    })
    .join("");
}

function maybeSnakeToCamel(name: string, options: MicroOptions): string {
  return options.snakeToCamelKeys && name.includes("_") ? snakeToCamel(name) : name;
}

/** Names ts-proto suffixes with `Message` because they would shadow globals. */
const builtInNames = new Set(["Date", "Function"]);

/**
 * The name ts-proto gives a message's interface and its `MessageFns` constant:
 * `Outer.Inner` -> `Outer_Inner`, affixes applied, `Date` -> `DateMessage`.
 */
export function tsProtoMessageName(message: DescMessage, options: MicroOptions): string {
  const chain: string[] = [];
  for (let m: DescMessage | undefined = message; m !== undefined; m = m.parent) {
    chain.unshift(maybeSnakeToCamel(m.name, options));
  }
  const name =
    options.typePrefix +
    options.messagePrefix +
    chain.join(options.useSnakeTypeName ? "_" : "") +
    options.messageSuffix +
    options.typeSuffix;
  return builtInNames.has(name) ? `${name}Message` : name;
}

/** A field's property name in ts-proto's interfaces. */
export function tsProtoFieldName(field: DescField, options: MicroOptions): string {
  return options.useJsonName ? field.jsonName : maybeSnakeToCamel(field.name, options);
}

/**
 * Where ts-proto put a file's messages, as a protoplugin import path for the file importing
 * them (`importer`, e.g. `./greeter/v1/greeter.micro.js`). Without an `M` mapping that is
 * `./<file without .proto><fileSuffix><importSuffix>` from the output root. An `M` target
 * means what it means to ts-proto (ts-poet): `./x` is relative to the output root, `../x`
 * is used verbatim in every file, anything else is a package.
 */
export function tsProtoModule(file: DescFile, options: MicroOptions, importer: string): string {
  const mapped = options.moduleMappings.get(file.proto.name);
  if (mapped === undefined) {
    // ts-proto replaces the first ".proto", not only a trailing one.
    return `./${file.proto.name.replace(".proto", "")}${options.fileSuffix}${options.importSuffix}`;
  }
  if (mapped.startsWith("../")) {
    // protoplugin relativizes root-relative paths; this root-relative path comes out as `mapped`.
    return `./${posix.normalize(posix.join(posix.dirname(importer), mapped))}`;
  }
  return mapped;
}

import type { DescMessage } from "@bufbuild/protobuf";
import type { GeneratedFile, ImportSymbol } from "@bufbuild/protoplugin";
import type { MicroOptions } from "./options.js";
import { tsProtoMessageName, tsProtoModule } from "./ts-proto-names.js";

/** What the printers of one output file share: the file and typed symbols for every name. */
export interface PrintContext {
  readonly f: GeneratedFile;
  readonly options: MicroOptions;
  /** A type exported by the runtime module (`Client`, `CallOptions`, ...). */
  runtimeType(name: string): ImportSymbol;
  /** A value exported by the runtime module (`internalServerError`). */
  runtimeValue(name: string): ImportSymbol;
  /** A message's interface and `MessageFns` constant, as ts-proto exports them. */
  message(desc: DescMessage): ImportSymbol;
  /**
   * A global (`Promise`, `AsyncIterable`). It is declared as a symbol of this very file, so
   * protoplugin reserves the name and aliases any import that would shadow it (a message
   * named `Promise` is imported as `Promise$1`); no import statement is printed for it.
   */
  global(name: string): ImportSymbol;
}

/** Creates the context for the output file at `importPath` (protoplugin form, `./a/b.js`). */
export function createPrintContext(
  f: GeneratedFile,
  importPath: string,
  options: MicroOptions,
): PrintContext {
  // Symbols are memoized: large files mention the same few names thousands of times.
  const memo = <K, V>(make: (key: K) => V): ((key: K) => V) => {
    const cache = new Map<K, V>();
    return (key) => {
      let value = cache.get(key);
      if (value === undefined) {
        value = make(key);
        cache.set(key, value);
      }
      return value;
    };
  };
  return {
    f,
    options,
    runtimeType: memo((name: string) => f.import(name, options.runtimeImport, true)),
    runtimeValue: memo((name: string) => f.import(name, options.runtimeImport)),
    message: memo((desc: DescMessage) =>
      f.import(tsProtoMessageName(desc, options), tsProtoModule(desc.file, options, importPath)),
    ),
    global: memo((name: string) => f.import(name, importPath)),
  };
}

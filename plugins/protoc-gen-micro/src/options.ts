/**
 * The options protoc-gen-micro understands besides protoplugin's standard ones (`target`,
 * `import_extension`, ...). ts-proto's own option names are accepted verbatim for every
 * option that changes a name or a path ts-proto generates, so one `opt:` list written for
 * ts-proto can be copied to this plugin and the imports resolve.
 */
export interface MicroOptions {
  /** Module the generated code imports the runtime from. Default `@micro-ts/runtime`. */
  readonly runtimeImport: string;
  /**
   * ts-proto's `importSuffix`: appended to the import paths of ts-proto's files (`.js` for
   * Node ESM). Default `""`.
   */
  readonly importSuffix: string;
  /**
   * ts-proto's `fileSuffix`: inserted before `.ts` in ts-proto's file names, so imports of
   * `greeter.proto`'s messages point at `greeter<fileSuffix>`. Default `""`.
   */
  readonly fileSuffix: string;
  /**
   * ts-proto's `M<file.proto>=<module>` mappings: messages of that proto file are imported
   * from the module, used verbatim (a relative target is relative to the output root, as in
   * ts-proto), and, as in ts-proto, no code is generated for a mapped file. Default none.
   */
  readonly moduleMappings: ReadonlyMap<string, string>;
  /** ts-proto's `snakeToCamel` includes `keys`: `foo_bar` names become `fooBar`. Default true. */
  readonly snakeToCamelKeys: boolean;
  /** ts-proto's `useSnakeTypeName`: nested `Outer.Inner` becomes `Outer_Inner`. Default true. */
  readonly useSnakeTypeName: boolean;
  /** ts-proto's `useJsonName`: field names in endpoint metadata use `json_name`. Default false. */
  readonly useJsonName: boolean;
  /** ts-proto's `typePrefix`, put before every message name. Default `""`. */
  readonly typePrefix: string;
  /** ts-proto's `typeSuffix`, put after every message name. Default `""`. */
  readonly typeSuffix: string;
  /** ts-proto's `messagePrefix`, put before every message name. Default `""`. */
  readonly messagePrefix: string;
  /** ts-proto's `messageSuffix`, put after every message name. Default `""`. */
  readonly messageSuffix: string;
}

/**
 * Parses the plugin's own options strictly: an unknown key or a bad value is an error
 * naming it (protoplugin reports it and the plugin exits non-zero).
 */
export function parseOptions(raw: readonly { key: string; value: string }[]): MicroOptions {
  let runtimeImport = "@micro-ts/runtime";
  let fileSuffix = "";
  let importSuffix = "";
  const moduleMappings = new Map<string, string>();
  let snakeToCamelKeys = true;
  let useSnakeTypeName = true;
  let useJsonName = false;
  let typePrefix = "";
  let typeSuffix = "";
  let messagePrefix = "";
  let messageSuffix = "";
  for (const { key, value } of raw) {
    switch (key) {
      case "runtime_import":
        if (value === "") throw new Error(`option "runtime_import" needs a module name`);
        runtimeImport = value;
        break;
      case "fileSuffix":
        fileSuffix = value;
        break;
      case "importSuffix":
        importSuffix = value;
        break;
      case "snakeToCamel":
        snakeToCamelKeys = parseSnakeToCamel(value);
        break;
      case "useSnakeTypeName":
        useSnakeTypeName = parseBoolean(key, value);
        break;
      case "useJsonName":
        useJsonName = parseBoolean(key, value);
        break;
      case "typePrefix":
        typePrefix = value;
        break;
      case "typeSuffix":
        typeSuffix = value;
        break;
      case "messagePrefix":
        messagePrefix = value;
        break;
      case "messageSuffix":
        messageSuffix = value;
        break;
      default:
        if (key.length > 1 && key.startsWith("M")) {
          if (value === "")
            throw new Error(`option "${key}" needs a module: M<file.proto>=<module>`);
          moduleMappings.set(key.slice(1), value);
          break;
        }
        throw new Error(`unknown option "${key}"`);
    }
  }
  return {
    runtimeImport,
    fileSuffix,
    importSuffix,
    moduleMappings,
    snakeToCamelKeys,
    useSnakeTypeName,
    useJsonName,
    typePrefix,
    typeSuffix,
    messagePrefix,
    messageSuffix,
  };
}

function parseBoolean(key: string, value: string): boolean {
  switch (value) {
    case "":
    case "true":
      return true;
    case "false":
      return false;
    default:
      throw new Error(`option "${key}" must be true or false, got "${value}"`);
  }
}

/** ts-proto accepts true, false, or `_`-joined parts (`keys_json`); only `keys` matters here. */
function parseSnakeToCamel(value: string): boolean {
  if (value === "true" || value === "") return true;
  if (value === "false") return false;
  const parts = value.split("_");
  for (const part of parts) {
    if (part !== "keys" && part !== "json") {
      throw new Error(
        `option "snakeToCamel" must be true, false, keys, json or keys_json, got "${value}"`,
      );
    }
  }
  return parts.includes("keys");
}

/**
 * protoplugin's standard options that make no sense here, with what to do instead. The
 * generated files have their own header (no protoplugin preamble), never import
 * protobuf-es code, are TypeScript only and are never empty.
 */
const rejected: Readonly<Record<string, string>> = {
  import_extension:
    "protoc-gen-micro takes ts-proto's importSuffix instead (e.g. importSuffix=.js)",
  js_import_style: "protoc-gen-micro generates TypeScript only (target=ts)",
  ts_nocheck: "the generated code type-checks; it has no preamble to put @ts-nocheck in",
  elide_plugin_version: "the generated header never names a version",
  bootstrap_wkt: "protoc-gen-micro does not import protobuf-es well-known types",
  map_imports: "protoc-gen-micro does not import protobuf-es code; use M<file.proto>=<module>",
  keep_empty_files: "protoc-gen-micro writes no empty files",
};

/**
 * Rewrites the raw plugin parameter before protoplugin parses it, for what protoplugin cannot
 * be told otherwise:
 * - the default target is `ts`: ts-proto emits TypeScript only, so users need not say it;
 * - import paths are printed exactly as computed (ts-proto's `importSuffix` appended, `M`
 *   targets verbatim), so protoplugin's `import_extension` is pinned to `js`, which leaves
 *   every path as it is;
 * - protoplugin options that would have no effect are errors naming the option.
 */
export function normalizeParameter(parameter: string): string {
  const parts = parameter === "" ? [] : parameter.split(",");
  let hasTarget = false;
  for (const raw of parts) {
    const i = raw.indexOf("=");
    const key = i < 0 ? raw : raw.slice(0, i);
    if (key === "target") hasTarget = true;
    const reason = rejected[key];
    if (reason !== undefined) throw new Error(`invalid option "${raw}": ${reason}`);
  }
  return [...(hasTarget ? [] : ["target=ts"]), ...parts, "import_extension=js"].join(",");
}

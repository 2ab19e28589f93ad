/**
 * Rewrites the raw plugin parameter before protoplugin parses it, for what protoplugin cannot
 * be told otherwise:
 * - the default target is `ts`: ts-proto emits TypeScript only, so users need not say it;
 * - import paths are printed exactly as computed (ts-proto's `importSuffix` appended, `M`
 *   targets verbatim), so protoplugin's `import_extension` is pinned to `js`, which leaves
 *   every path as it is. Setting `import_extension` is an error pointing at `importSuffix`.
 */
export function normalizeParameter(parameter: string): string {
  const parts = parameter === "" ? [] : parameter.split(",");
  let hasTarget = false;
  for (const raw of parts) {
    const i = raw.indexOf("=");
    const key = i < 0 ? raw : raw.slice(0, i);
    if (key === "target") hasTarget = true;
    if (key === "import_extension") {
      throw new Error(
        `invalid option "${raw}": protoc-gen-micro takes ts-proto's importSuffix instead (e.g. importSuffix=.js)`,
      );
    }
  }
  return [...(hasTarget ? [] : ["target=ts"]), ...parts, "import_extension=js"].join(",");
}

/** How ts-proto's `importSuffix` values map to protoplugin's `import_extension`. */
const importSuffixToExtension: Readonly<Record<string, string>> = {
  "": "none",
  ".js": "js",
  ".ts": "ts",
};

/**
 * Rewrites the raw plugin parameter before protoplugin parses it, for two things protoplugin
 * cannot be told otherwise: the default target is `ts` (ts-proto emits TypeScript only, so
 * users should not have to say it), and ts-proto's `importSuffix` is accepted as an alias of
 * `import_extension`, so the same `opt:` list serves both plugins. A conflicting pair, or a
 * suffix protoplugin cannot express, is an error naming the option.
 */
export function normalizeParameter(parameter: string): string {
  const parts = parameter === "" ? [] : parameter.split(",");
  let hasTarget = false;
  let importExtension: string | undefined;
  let importSuffixExtension: string | undefined;
  const kept: string[] = [];
  for (const raw of parts) {
    const i = raw.indexOf("=");
    const key = i < 0 ? raw : raw.slice(0, i);
    const value = i < 0 ? "" : raw.slice(i + 1);
    if (key === "target") hasTarget = true;
    if (key === "import_extension") importExtension = value.replace(/^\./, "") || "none";
    if (key === "importSuffix") {
      const extension = importSuffixToExtension[value];
      if (extension === undefined) {
        throw new Error(
          `invalid option "${raw}": protoc-gen-micro supports importSuffix "", ".js" or ".ts"`,
        );
      }
      importSuffixExtension = extension;
      continue;
    }
    kept.push(raw);
  }
  if (importSuffixExtension !== undefined) {
    if (importExtension !== undefined && importExtension !== importSuffixExtension) {
      throw new Error(
        `invalid options: importSuffix and import_extension=${importExtension} disagree; set one`,
      );
    }
    if (importExtension === undefined) kept.push(`import_extension=${importSuffixExtension}`);
  }
  if (!hasTarget) kept.unshift("target=ts");
  return kept.join(",");
}

// Generates a varied synthetic proto tree, runs buf generate with ts-proto and the compiled
// protoc-gen-micro, and type-checks everything with the TypeScript compiler API.
// CORPUS_FILES (default 120) scales it; services and methods grow with it.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticTree } from "../../bench/lib/synthetic-protos.js";
import {
  ensurePluginBuilt,
  makeBufWorkspace,
  repoRoot,
  runOk,
  tempDir,
} from "../../plugins/protoc-gen-micro/test/support/tools.js";

const files = Number(process.env["CORPUS_FILES"] ?? "120");

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe(`corpus of ${files} synthetic proto files`, () => {
  beforeAll(() => ensurePluginBuilt(), 120_000);

  it("generates code that type-checks under the repository's strict settings", () => {
    const dir = tempDir("micro-corpus");
    makeBufWorkspace(dir);
    const tree = writeSyntheticTree(join(dir, "proto"), {
      files,
      services: files * 3,
      methods: files * 15,
    });
    writeFileSync(
      join(dir, "buf.gen.yaml"),
      [
        "version: v2",
        "plugins:",
        "  - local: protoc-gen-ts_proto",
        "    out: gen",
        "    strategy: all",
        "    opt: [outputServices=generic-definitions, importSuffix=.js, esModuleInterop=true]",
        "  - local: protoc-gen-micro",
        "    out: gen",
        "    strategy: all",
        "    opt: [importSuffix=.js]",
        "inputs:",
        "  - directory: proto",
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    runOk("buf", ["generate"], { cwd: dir });

    const generated = listTs(join(dir, "gen"));
    const micro = generated.filter((f) => f.endsWith(".micro.ts"));
    expect(micro).toHaveLength(tree.files.length);

    const base = ts.readConfigFile(join(repoRoot, "tsconfig.base.json"), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(
      {
        ...base.config,
        compilerOptions: {
          ...base.config.compilerOptions,
          noEmit: true,
          customConditions: ["source"],
          typeRoots: [join(repoRoot, "node_modules/@types")],
        },
        files: generated,
      },
      ts.sys,
      dir,
    );
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    // Only the generated code is judged here; the runtime's own sources are checked by the
    // repository's tsc run.
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir));
    const text = ts.formatDiagnostics(diagnostics.slice(0, 20), {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => "\n",
    });
    rmSync(dir, { recursive: true, force: true });
    expect(text).toBe("");
    expect(tree.methods).toBe(files * 15);
  }, 300_000);
});

// Generates a varied synthetic proto corpus, runs buf generate with ts-proto and the
// compiled protoc-gen-micro, and type-checks every generated file (ts-proto's and the
// .micro.ts) under the repository's strict settings.
// The corpus is CORPUS_FILES files (default 2,000) in trees of CORPUS_TREE_FILES (default
// 500): each tree is its own buf build (several packages, cross-file and cross-package
// imports, WKTs, google.api.http, topics, all four method kinds, deep nesting, awkward
// names) and its own tsc process, so memory stays bounded by one tree, not the corpus.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticTree } from "../../bench/lib/synthetic-protos.js";
import {
  ensurePluginBuilt,
  makeBufWorkspace,
  runOk,
  tempDir,
} from "../../plugins/protoc-gen-micro/test/support/tools.js";
import { typecheck } from "./typecheck.js";

const files = Number(process.env["CORPUS_FILES"] ?? "2000");
const treeFiles = Number(process.env["CORPUS_TREE_FILES"] ?? "500");
/** tsc heap per tree; a 500-file tree needs about 2.5 GB. */
const heapMb = Math.max(1024, Math.ceil((treeFiles / 500) * 4096));

const bufGen = [
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
].join("\n");

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Writes tree `firstIndex..firstIndex+count` and generates it. One service per file with
 * five methods (every method kind, an http rule); the tree's variation puts `Service`
 * suffixes, subscribe rpcs and escaped names in some files each.
 */
function generateTree(firstIndex: number, count: number, perFile = { services: 1, methods: 5 }) {
  const dir = tempDir("micro-corpus");
  makeBufWorkspace(dir);
  const tree = writeSyntheticTree(join(dir, "proto"), {
    files: count,
    services: count * perFile.services,
    methods: count * perFile.methods,
    firstIndex,
  });
  writeFileSync(join(dir, "buf.gen.yaml"), bufGen);
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const started = performance.now();
  runOk("buf", ["generate"], { cwd: dir });
  const generated = listTs(join(dir, "gen")).map((file) => relative(dir, file));
  return { dir, tree, generated, bufSeconds: (performance.now() - started) / 1000 };
}

describe(`corpus of ${files} synthetic proto files in trees of ${treeFiles}`, () => {
  const dirs: string[] = [];
  beforeAll(() => ensurePluginBuilt(), 120_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("fails on a type error in generated code (the check can fail)", () => {
    const { dir, generated } = generateTree(0, 2, { services: 2, methods: 8 });
    dirs.push(dir);
    const micro = generated.find((file) => file.endsWith("file1.micro.ts")) as string;
    const source = readFileSync(join(dir, micro), "utf8");
    // A wrong type in a generated file: passes only if nothing is checked.
    writeFileSync(join(dir, micro), `${source}\nexport const broken: number = "not a number";\n`);
    const result = typecheck(dir, generated, 1024);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/file1\.micro\.ts\(\d+,\d+\): error TS2322/);
  }, 120_000);

  for (let first = 0; first < files; first += treeFiles) {
    const count = Math.min(treeFiles, files - first);
    it(`files ${first}..${first + count - 1}: generated code type-checks under strict settings`, () => {
      const { dir, tree, generated, bufSeconds } = generateTree(first, count);
      dirs.push(dir);
      const micro = generated.filter((file) => file.endsWith(".micro.ts"));
      expect(micro).toHaveLength(tree.files.length);
      expect(generated.length).toBeGreaterThan(2 * count);

      const result = typecheck(dir, generated, heapMb);
      console.log(
        `corpus files ${first}..${first + count - 1}: ${generated.length} generated files, ` +
          `${result.linesOfTypeScript} lines of TypeScript checked; buf generate ${bufSeconds.toFixed(1)} s, ` +
          `tsc ${result.seconds.toFixed(1)} s, tsc heap ${result.memoryMb} MB`,
      );
      rmSync(dir, { recursive: true, force: true });
      expect(result.errors.slice(0, 20).join("\n")).toBe("");
      expect(result.files).toBeGreaterThan(generated.length);
    }, 600_000);
  }
});

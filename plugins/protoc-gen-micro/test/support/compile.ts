import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { protocGenMicro } from "../../src/index.js";
import { makeBufWorkspace, runOk, tempDir, writeTree } from "./tools.js";

/**
 * Compiles inline `.proto` files (path under proto/ -> source) with the real buf compiler,
 * the shipped google/api and micro protos importable, and returns the request protoc or buf
 * would send the plugin for exactly these files.
 */
export function compileRequest(files: Readonly<Record<string, string>>, parameter = "") {
  const dir = tempDir("micro-compile");
  makeBufWorkspace(dir);
  writeTree(
    join(dir, "proto"),
    Object.fromEntries(Object.entries(files).map(([name, source]) => [name, source])),
  );
  const out = join(dir, "image.binpb");
  runOk("buf", ["build", "-o", out], { cwd: dir });
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(out));
  rmSync(dir, { recursive: true, force: true });
  return create(CodeGeneratorRequestSchema, {
    fileToGenerate: Object.keys(files),
    parameter,
    protoFile: set.file,
  });
}

/** Runs the plugin in-process on inline protos; returns output file name -> content. */
export function generate(
  files: Readonly<Record<string, string>>,
  parameter = "",
): Map<string, string> {
  const response = protocGenMicro.run(compileRequest(files, parameter));
  return new Map(response.file.map((f) => [f.name, f.content]));
}

/** The lines of one generated file, trimmed, for `toContain` assertions. */
export function lines(content: string | undefined): string[] {
  if (content === undefined) throw new Error("no such generated file");
  return content.split("\n").map((line) => line.trim());
}

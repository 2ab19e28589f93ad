import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  type CodeGeneratorRequest,
  CodeGeneratorRequestSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { type MicroPlugin, loadMicroPlugin } from "./micro-plugin.js";
import type { PlannedFile } from "./plan.js";
import { type Toolchain, ToolError, runTool } from "./toolchain.js";

/**
 * The plugins and options of templates/service/buf.gen.yaml, in its order (a new project's
 * first generation). test/scaffold/generate-in-process.test.ts proves the output is
 * byte-identical to `buf generate` with that file, so the two cannot drift apart unnoticed.
 */
const TS_PROTO_PARAMETER =
  "outputServices=generic-definitions,importSuffix=.js,esModuleInterop=true,forceLong=number";
const MICRO_PARAMETER = "importSuffix=.js";
const OUT = "gen";
const INPUT = "proto";

/**
 * The `gen/` files of a new project, as `buf generate` with templates/service/buf.gen.yaml
 * would write them, without its two node processes: buf compiles the protos once (`buf
 * build`, the Go binary) while this process loads ts-proto and protoc-gen-micro, which then
 * run here on the CodeGeneratorRequest buf would send them. Spawning node twice and loading
 * both plugins was most of the scaffold time. `protos` are by path under `proto/`.
 * `micro generate` keeps running `buf generate`: there buf.gen.yaml is the user's.
 */
export async function generateFiles(
  toolchain: Toolchain,
  protos: ReadonlyMap<string, string>,
  signal?: AbortSignal,
): Promise<PlannedFile[]> {
  const [image, { tsProto, micro }] = await buildImage(toolchain, protos, signal, async () => ({
    tsProto: loadTsProto(toolchain),
    micro: await loadMicroPlugin(toolchain),
  }));
  const files = fromBinary(FileDescriptorSetSchema, image).file;
  const own = (file: { name?: string }) => protos.has(file.name ?? "");
  const request = (parameter: string) =>
    create(CodeGeneratorRequestSchema, {
      fileToGenerate: files.filter(own).map((file) => file.name ?? ""),
      parameter,
      protoFile: files,
      sourceFileDescriptors: files.filter(own),
    });
  const output = [
    ...(await plugin("protoc-gen-ts_proto", () =>
      runTsProto(tsProto, request(TS_PROTO_PARAMETER)),
    )),
    ...(await plugin("protoc-gen-micro", async () => runMicro(micro, request(MICRO_PARAMETER)))),
  ];
  return output.map((file) => ({ path: `${OUT}/${file.name}`, content: file.content }));
}

/**
 * `generateFiles` for a project already on disk (the yeoman adapter's last step): reads its
 * `proto/` and writes `gen/`.
 */
export async function generateCode(
  toolchain: Toolchain,
  directory: string,
  signal?: AbortSignal,
): Promise<void> {
  const input = join(directory, INPUT);
  const entries = await readdir(input, { recursive: true, withFileTypes: true });
  const protos = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".proto")) continue;
    const path = join(entry.parentPath, entry.name);
    protos.set(relative(input, path), await readFile(path, "utf8"));
  }
  for (const file of await generateFiles(toolchain, protos, signal)) {
    signal?.throwIfAborted();
    await mkdir(dirname(join(directory, file.path)), { recursive: true });
    await writeFile(join(directory, file.path), file.content);
  }
}

/**
 * `buf build` of the protos in a scratch workspace laid out like a project's (its protos, and
 * protoc-gen-micro's as a second module): a FileDescriptorSet with source info and imports.
 * `meanwhile` runs here while buf compiles in its own process.
 */
async function buildImage<T>(
  toolchain: Toolchain,
  protos: ReadonlyMap<string, string>,
  signal: AbortSignal | undefined,
  meanwhile: () => Promise<T>,
): Promise<[Uint8Array, T]> {
  const scratch = await mkdtemp(join(tmpdir(), "create-micro-image-"));
  try {
    for (const [name, text] of protos) {
      await mkdir(dirname(join(scratch, INPUT, name)), { recursive: true });
      await writeFile(join(scratch, INPUT, name), text);
    }
    await symlink(join(toolchain.pluginDir, "proto"), join(scratch, "micro"));
    await writeFile(
      join(scratch, "buf.yaml"),
      `version: v2\nmodules:\n  - path: ${INPUT}\n  - path: micro\n`,
    );
    const output = join(scratch, "image.binpb");
    const built = runTool(
      toolchain,
      "buf",
      ["build", INPUT, "--as-file-descriptor-set", "-o", output],
      scratch,
      signal,
    );
    built.catch(() => undefined);
    const result = await meanwhile();
    await built;
    return [await readFile(output), result];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A plugin that throws (a proto it rejects) fails like it would under buf: a ToolError. */
async function plugin(name: string, run: () => Promise<OutputFile[]>): Promise<OutputFile[]> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError(`${name} failed`, error instanceof Error ? error.message : String(error));
  }
}

/** A generated file, as a plugin's CodeGeneratorResponse carries it. */
interface OutputFile {
  readonly name: string;
  readonly content: string;
}

/** The parts of ts-proto's internals its own protoc entry (build/src/plugin.js) uses. */
interface TsProtoInternals {
  readonly descriptors: {
    CodeGeneratorRequest: { decode(bytes: Uint8Array): TsProtoRequest };
  };
  readonly utils: {
    getVersions(
      request: TsProtoRequest,
    ): Promise<{ protocVersion: string; tsProtoVersion: string }>;
    protoFilesToGenerate(request: TsProtoRequest): TsProtoFile[];
  };
  readonly options: {
    optionsFromParameter(parameter: string): TsProtoOptions;
    getTsPoetOpts(
      options: TsProtoOptions,
      tsProtoVersion: string,
      protocVersion: string,
      fileName: string,
    ): object;
  };
  readonly types: { createTypeMap(request: TsProtoRequest, options: TsProtoOptions): unknown };
  readonly main: {
    makeUtils(options: TsProtoOptions): unknown;
    generateFile(
      context: object,
      file: TsProtoFile,
    ): [string, { toString(options: object): string }];
  };
  readonly context: { createFileContext(file: TsProtoFile): unknown };
}
interface TsProtoRequest {
  readonly fileToGenerate: string[];
  readonly protoFile: TsProtoFile[];
}
interface TsProtoFile {
  readonly name: string;
  readonly dependency: string[];
}
interface TsProtoOptions {
  readonly emitImportedFiles: boolean;
  readonly outputTypeRegistry: boolean;
  readonly outputIndex: boolean;
  readonly M: Readonly<Record<string, string>>;
}

/** ts-proto from the checkout's node_modules (a dev dependency, like buf). */
function loadTsProto(toolchain: Toolchain): TsProtoInternals {
  const require = createRequire(join(toolchain.root, "package.json"));
  const load = (path: string) => require(`ts-proto/build/src/${path}`) as unknown;
  return {
    descriptors: require("ts-proto-descriptors"),
    utils: load("utils"),
    options: load("options"),
    types: load("types"),
    main: load("main"),
    context: load("context"),
  } as TsProtoInternals;
}

/**
 * ts-proto's `main()` of build/src/plugin.js, on a request instead of stdin (ts-proto has
 * no programmatic entry; requiring plugin.js would read stdin and exit). Only what the
 * template's options reach; anything else is refused rather than generated differently.
 */
async function runTsProto(
  ts: TsProtoInternals,
  message: CodeGeneratorRequest,
): Promise<OutputFile[]> {
  const request = ts.descriptors.CodeGeneratorRequest.decode(
    toBinary(CodeGeneratorRequestSchema, message),
  );
  const { protocVersion, tsProtoVersion } = await ts.utils.getVersions(request);
  const options = ts.options.optionsFromParameter(message.parameter);
  if (options.outputTypeRegistry || options.outputIndex || !options.emitImportedFiles) {
    throw new Error(
      `create-micro-service: ts-proto options ${message.parameter} are not supported in-process`,
    );
  }
  const context = {
    typeMap: ts.types.createTypeMap(request, options),
    options,
    utils: ts.main.makeUtils(options),
  };
  // emitImportedFiles: the files to generate and, transitively, what they import.
  const names = new Set<string>();
  const add = (list: readonly string[]) => {
    for (const name of list) {
      if (options.M[name] !== undefined || names.has(name)) continue;
      names.add(name);
      add(request.protoFile.find((file) => file.name === name)?.dependency ?? []);
    }
  };
  add(request.fileToGenerate);
  return request.protoFile
    .filter((file) => names.has(file.name))
    .map((file) => {
      const [path, code] = ts.main.generateFile(
        { ...context, currentFile: ts.context.createFileContext(file) },
        file,
      );
      const poet = ts.options.getTsPoetOpts(options, tsProtoVersion, protocVersion, file.name);
      return { name: path, content: code.toString({ ...poet, path }) };
    });
}

/** protoc-gen-micro's pure `run` (protoplugin's), request in, response out. */
function runMicro(plugin: MicroPlugin, request: CodeGeneratorRequest): OutputFile[] {
  const response = plugin.protocGenMicro.run(request);
  if (response.error !== undefined && response.error !== "") {
    throw new Error(response.error);
  }
  return response.file.map((file) => ({ name: file.name ?? "", content: file.content ?? "" }));
}

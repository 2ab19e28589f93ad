import {
  type DescFile,
  type DescMessage,
  createFileRegistry,
  fromBinary,
} from "@bufbuild/protobuf";
import { getOption, hasOption } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { ProtoModel, RpcKind, ServiceModel, TopicModel, TypeRef } from "./proto-model.js";
import { loadMicroPlugin } from "./micro-plugin.js";
import { type Toolchain, ToolError, runTool } from "./toolchain.js";

/** A `--proto` that cannot be used; the message carries buf's `file:line:column` errors. */
export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtoError";
  }
}

/**
 * Reads `--proto <file|dir>` (every `.proto` under a folder, keeping relative paths; a file
 * on its own), compiles it with buf against the protos protoc-gen-micro ships, and describes
 * its services and topics with protoc-gen-micro's own naming rules, so the handler classes
 * match the generated interfaces exactly.
 */
export async function readProtos(path: string, toolchain: Toolchain): Promise<ProtoModel> {
  const isDirectory = (await stat(path)).isDirectory();
  const files = await collectProtos(path, isDirectory);
  if (files.size === 0) throw new ProtoError(`--proto ${path}: no .proto files found there`);
  const scratch = await mkdtemp(join(tmpdir(), "create-micro-proto-"));
  try {
    for (const [name, text] of files) {
      await mkdir(dirname(join(scratch, "proto", name)), { recursive: true });
      await writeFile(join(scratch, "proto", name), text);
    }
    await symlink(join(toolchain.pluginDir, "proto"), join(scratch, "micro"));
    await writeFile(
      join(scratch, "buf.yaml"),
      "version: v2\nmodules:\n  - path: proto\n  - path: micro\n",
    );
    try {
      await runTool(
        toolchain,
        "buf",
        ["build", "proto", "--as-file-descriptor-set", "-o", "image.binpb"],
        scratch,
      );
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      // buf names files relative to the scratch workspace; show them relative to --proto.
      const shown = error.output.replace(/^proto\//gm, `${isDirectory ? path : dirname(path)}/`);
      throw new ProtoError(`--proto ${path} does not compile:\n${shown}`);
    }
    const image = fromBinary(FileDescriptorSetSchema, await readFile(join(scratch, "image.binpb")));
    return { files, ...(await describe(image, new Set(files.keys()), toolchain)) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function collectProtos(path: string, isDirectory: boolean): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (!isDirectory) {
    if (!path.endsWith(".proto")) throw new ProtoError(`--proto ${path}: not a .proto file`);
    files.set(basename(path), await readFile(path, "utf8"));
    return files;
  }
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".proto")) continue;
    const full = join(entry.parentPath, entry.name);
    if (full.split("/").includes("node_modules")) continue;
    files.set(relative(resolve(path), resolve(full)), await readFile(full, "utf8"));
  }
  return files;
}

const kinds: Record<string, RpcKind> = {
  unary: "unary",
  server_streaming: "server_streaming",
  client_streaming: "client_streaming",
  bidi_streaming: "bidi_streaming",
};

/** Services and topics of the user's files (not of what they import). */
async function describe(
  image: ReturnType<typeof fromBinary<typeof FileDescriptorSetSchema>>,
  own: ReadonlySet<string>,
  toolchain: Toolchain,
): Promise<Pick<ProtoModel, "services" | "topics">> {
  // Loaded only for --proto: the naming rules of the plugin whose output the handlers implement.
  const names = await loadMicroPlugin(toolchain);
  const options = names.parseOptions([{ key: "importSuffix", value: ".js" }]);
  const registry = createFileRegistry(image);
  const topicOption = registry.getExtension("micro.topic");
  const services: ServiceModel[] = [];
  const topics: TopicModel[] = [];
  const ref = (message: DescMessage): TypeRef => ({
    name: names.tsProtoMessageName(message, options),
    module: moduleOf(message.file),
  });
  for (const file of registry.files) {
    if (!own.has(file.proto.name)) continue;
    const microModule = names.microFileName(file.proto.name).replace(/\.ts$/, "");
    for (const service of file.services) {
      const methodNames = names.methodNames(service.methods);
      services.push({
        protoName: service.name,
        fullName: service.typeName,
        base: service.name.charAt(0).toUpperCase() + service.name.slice(1),
        microModule,
        rpcs: service.methods.map((method) => ({
          protoName: method.name,
          method: methodNames.get(method) as string,
          kind: kinds[method.methodKind] as RpcKind,
          input: ref(method.input),
          output: ref(method.output),
        })),
      });
    }
    if (topicOption === undefined) continue;
    for (const message of allMessages(file.messages)) {
      if (!hasOption(message, topicOption)) continue;
      const option = getOption(message, topicOption) as unknown as { name: string };
      const message$ = ref(message);
      topics.push({ topic: option.name, base: message$.name, message: message$, microModule });
    }
  }
  return { services, topics };
}

function* allMessages(messages: readonly DescMessage[]): Iterable<DescMessage> {
  for (const message of messages) {
    yield message;
    yield* allMessages(message.nestedMessages);
  }
}

function moduleOf(file: DescFile): string {
  return file.proto.name.replace(".proto", "");
}

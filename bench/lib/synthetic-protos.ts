// A varied synthetic proto tree for the codegen benchmark and the plugin's corpus test:
// several packages, cross-file imports, deep nesting, all four method kinds, http rules
// of every verb, topics, subscribe rpcs, WKTs, maps, enums, oneofs and awkward names.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Size of the tree. Services and methods are spread evenly over the files. */
export interface SyntheticTreeOptions {
  /** Number of .proto files. */
  readonly files: number;
  /** Services in the whole tree (at least one per file). */
  readonly services: number;
  /** Methods in the whole tree. */
  readonly methods: number;
  /**
   * Number of the first file (default 0), so several trees of one corpus hold different
   * files (`file<n>.proto`, types `F<n>...`). Imports stay inside the tree.
   */
  readonly firstIndex?: number;
}

/** What was written: proto paths relative to the proto root. */
export interface SyntheticTree {
  readonly files: readonly string[];
  readonly services: number;
  readonly methods: number;
}

const kinds = [
  ["", ""],
  ["", "stream "],
  ["stream ", ""],
  ["stream ", "stream "],
] as const;
const verbs = ["get", "post", "put", "patch", "delete"] as const;
/** Rpc names that exercise escaping; used once per file, cycling. */
const awkward = ["Delete", "constructor", "then", "get_thing", "HTTPGet", "lowercase"];

function pathOf(index: number, packages: number): { pkg: string; path: string } {
  const pkg = `corpus.p${index % packages}.v1`;
  return { pkg, path: `corpus/p${index % packages}/v1/file${index}.proto` };
}

/** Writes the tree under `protoDir` and returns what it wrote. */
export function writeSyntheticTree(protoDir: string, options: SyntheticTreeOptions): SyntheticTree {
  const fileCount = Math.max(1, options.files);
  const first = options.firstIndex ?? 0;
  const serviceCount = Math.max(fileCount, options.services);
  const packages = Math.max(1, Math.ceil(fileCount / 10));
  const written: string[] = [];
  let servicesLeft = serviceCount;
  let methodsLeft = Math.max(serviceCount, options.methods);
  let totalMethods = 0;
  for (let i = first; i < first + fileCount; i++) {
    const { pkg, path } = pathOf(i, packages);
    const services = Math.round(servicesLeft / (first + fileCount - i));
    servicesLeft -= services;
    const lines: string[] = [
      'syntax = "proto3";',
      "",
      `package ${pkg};`,
      "",
      'import "google/api/annotations.proto";',
      'import "google/protobuf/empty.proto";',
      'import "google/protobuf/struct.proto";',
      'import "google/protobuf/timestamp.proto";',
      'import "micro/options.proto";',
    ];
    const previous = i > first ? pathOf(i - 1, packages) : undefined;
    if (previous !== undefined) lines.push(`import "${previous.path}";`);
    lines.push("");
    // Names are unique per file: several files share a package.
    const f = `F${i}`;
    const inputs = [
      `${f}Request`,
      `${f}Outer.Middle.Inner`,
      "google.protobuf.Empty",
      `f${i}_snake_case_request`,
      ...(previous !== undefined ? [`${previous.pkg}.F${i - 1}Request`] : []),
      "google.protobuf.Struct",
      `${f}Event`,
    ];
    const outputs = [`${f}Response`, `${f}Outer.Middle`, "google.protobuf.Timestamp", `${f}Event`];
    for (let s = 0; s < services; s++) {
      const methods = Math.round(methodsLeft / (servicesLeft + services - s));
      methodsLeft -= methods;
      totalMethods += methods;
      // Varies with the file too, so a tree with one service per file still has some.
      const name = (s + i) % 3 === 2 ? `${f}Svc${s}Service` : `${f}Svc${s}`;
      lines.push(`// Service ${s} of file ${i}.`, `service ${name} {`);
      for (let m = 0; m < methods; m++) {
        const [inStream, outStream] = kinds[m % 4] as readonly [string, string];
        const rpc =
          m < awkward.length && s === 0
            ? (awkward[(m + i) % awkward.length] as string)
            : `Method${m}`;
        const input = inputs[(m + s + i) % inputs.length] as string;
        const output = outputs[(m + i) % outputs.length] as string;
        const body: string[] = [];
        if (inStream === "" && outStream === "" && m % 3 === 0) {
          const verb = verbs[(m / 3 + i) % verbs.length] as string;
          const bodyClause = verb === "get" || verb === "delete" ? "" : ' body: "*"';
          body.push(
            `    option (google.api.http) = { ${verb}: "/v1/f${i}/s${s}/m${m}/{id}"${bodyClause}`,
          );
          if (m % 2 === 0)
            body.push(
              `      additional_bindings { custom: { kind: "HEAD" path: "/v2/f${i}/m${m}" } }`,
            );
          body.push("    };");
        }
        if (inStream === "" && outStream === "" && input === `${f}Event`) {
          body.push(`    option (micro.subscribe) = { name: "corpus.f${i}.s${s}.m${m}" };`);
        }
        lines.push(
          body.length === 0
            ? `  rpc ${rpc}(${inStream}${input}) returns (${outStream}${output});`
            : `  rpc ${rpc}(${inStream}${input}) returns (${outStream}${output}) {\n${body.join("\n")}\n  }`,
        );
      }
      lines.push("}", "");
    }
    lines.push(
      `message ${f}Request {`,
      "  string id = 1;",
      "  repeated int64 values = 2;",
      `  map<string, ${f}Outer> outers = 3;`,
      `  ${f}Kind kind = 4;`,
      "  oneof choice {",
      "    string text = 5;",
      "    bytes data = 6;",
      "  }",
      "  google.protobuf.Timestamp at = 7;",
      "}",
      "",
      `message ${f}Response {`,
      "  string id = 1;",
      "  optional double score = 2;",
      `  repeated ${f}Outer.Middle.Inner inners = 3;`,
      "}",
      "",
      `message ${f}Outer {`,
      "  message Middle {",
      "    message Inner {",
      "      string value = 1;",
      `      ${f}Kind kind = 2;`,
      "    }",
      "    Inner inner = 1;",
      "    map<int32, string> labels = 2;",
      "  }",
      "  Middle middle = 1;",
      "}",
      "",
      `message f${i}_snake_case_request {`,
      "  string snake_field = 1;",
      "}",
      "",
      `message ${f}Event {`,
      `  option (micro.topic) = { name: "corpus.f${i}.event"${i % 2 === 0 ? ' queue: "workers"' : ""} };`,
      "  string id = 1;",
      "  google.protobuf.Struct payload = 2;",
      "}",
      "",
      // Collides with the generated client name of service F<i>Svc0.
      `message ${f}Svc0Client {`,
      "  string id = 1;",
      "}",
      "",
      `enum ${f}Kind {`,
      `  KIND_${f}_UNSPECIFIED = 0;`,
      `  KIND_${f}_A = 1;`,
      "}",
      "",
    );
    const file = join(protoDir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, lines.join("\n"));
    written.push(path);
  }
  return { files: written, services: serviceCount, methods: totalMethods };
}

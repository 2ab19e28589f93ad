import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { findToolchain, generateFiles } from "../../src/scaffold/index.js";
import { root, scratch } from "./cli.js";

const toolchain = findToolchain(join(root, "src", "scaffold", "index.ts"));

/** Every file under `dir`, by relative path. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path, "utf8"));
  }
  return files;
}

/** What `buf generate` writes for `protos` in a project laid out like templates/service. */
function bufGenerate(protos: ReadonlyMap<string, string>): Map<string, string> {
  const project = scratch("generate-in-process-");
  for (const file of ["buf.yaml", "buf.gen.yaml"]) {
    cpSync(join(root, "templates", "service", file), join(project, file));
  }
  for (const [name, text] of protos) {
    mkdirSync(dirname(join(project, "proto", name)), { recursive: true });
    writeFileSync(join(project, "proto", name), text);
  }
  mkdirSync(join(project, "node_modules"));
  symlinkSync(toolchain.pluginDir, join(project, "node_modules", "protoc-gen-micro"));
  execFileSync(join(toolchain.bin, "buf"), ["generate"], {
    cwd: project,
    env: { ...process.env, PATH: `${toolchain.bin}:${process.env["PATH"] ?? ""}` },
  });
  return new Map([...tree(join(project, "gen"))].map(([path, text]) => [`gen/${path}`, text]));
}

const example = `syntax = "proto3";
package shop.v1;
import "micro/options.proto";
// Orders, as a user would write them.
service Orders {
  rpc Place(PlaceRequest) returns (PlaceResponse);
  rpc Watch(PlaceRequest) returns (stream PlaceResponse);
}
message PlaceRequest { string item = 1; int64 count = 2; }
message PlaceResponse { string id = 1; }
message Placed {
  option (micro.topic) = { name: "shop.placed" };
  string id = 1;
}
`;

// The scaffolder runs ts-proto and protoc-gen-micro in-process; a project's later
// `npm run generate` runs buf generate. Both must write the same bytes, or the first
// `micro check` of every new project would report stale files.
describe("generateFiles", () => {
  it(
    "writes exactly what buf generate writes with the template's buf.gen.yaml",
    { timeout: 60_000 },
    async () => {
      const cases = [
        tree(join(root, "examples", "greeter", "proto")),
        new Map([
          ["shop/v1/orders.proto", example],
          [
            "shop/v1/types.proto",
            'syntax = "proto3";\npackage shop.v1;\nmessage Item { string sku = 1; }\n',
          ],
        ]),
      ];
      for (const protos of cases) {
        const inProcess = await generateFiles(toolchain, protos);
        const expected = bufGenerate(protos);
        expect(inProcess.map((file) => file.path).sort()).toEqual([...expected.keys()].sort());
        for (const file of inProcess) expect(file.content).toBe(expected.get(file.path));
      }
    },
  );

  it("reports a proto that does not compile with buf's file:line message", async () => {
    const protos = new Map([
      ["bad/v1/bad.proto", 'syntax = "proto3";\npackage bad.v1;\nmessage {\n'],
    ]);
    await expect(generateFiles(toolchain, protos)).rejects.toMatchObject({
      output: expect.stringMatching(/bad\/v1\/bad\.proto:3:\d+/),
    });
  });
});

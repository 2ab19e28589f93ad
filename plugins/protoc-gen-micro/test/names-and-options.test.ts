import { describe, expect, it } from "vitest";
import { lowerCamel, normalizeParameter, parseOptions, snakeToCamel } from "../src/index.js";

describe("lowerCamel", () => {
  it.each([
    ["SayHello", "sayHello"],
    ["sayHello", "sayHello"],
    ["get_user", "getUser"],
    ["HTTPGet", "httpGet"],
    ["HTTP", "http"],
    ["ID", "id"],
    ["GetAPIValue", "getAPIValue"],
    ["__proto__", "proto"],
    ["A", "a"],
  ])("%s -> %s", (input, output) => {
    expect(lowerCamel(input)).toBe(output);
  });
});

describe("snakeToCamel (ts-proto's rule)", () => {
  it.each([
    ["snake_case_msg", "snakeCaseMsg"],
    ["HTTP_REQUEST", "httpRequest"],
    ["Foo_bar", "FooBar"],
    ["Foo_BAR", "FooBAR"],
  ])("%s -> %s", (input, output) => {
    expect(snakeToCamel(input)).toBe(output);
  });
});

describe("normalizeParameter", () => {
  it("defaults to target=ts and pins import_extension so paths print as computed", () => {
    expect(normalizeParameter("")).toBe("target=ts,import_extension=js");
    expect(normalizeParameter("importSuffix=.js")).toBe(
      "target=ts,importSuffix=.js,import_extension=js",
    );
    expect(normalizeParameter("target=ts,fileSuffix=.pb")).toBe(
      "target=ts,fileSuffix=.pb,import_extension=js",
    );
  });

  it("rejects protoplugin options that would have no effect, naming them", () => {
    expect(() => normalizeParameter("ts_nocheck=true")).toThrow(/invalid option "ts_nocheck=true"/);
    expect(() => normalizeParameter("target=ts,map_imports=a:b")).toThrow(
      /"map_imports=a:b".*M<file/,
    );
    expect(normalizeParameter("rewrite_imports=./x/*:@y")).toBe(
      "target=ts,rewrite_imports=./x/*:@y,import_extension=js",
    );
  });

  it("rejects import_extension, pointing at importSuffix", () => {
    expect(() => normalizeParameter("import_extension=none")).toThrow(
      /invalid option "import_extension=none".*importSuffix/,
    );
  });
});

describe("parseOptions", () => {
  it("documents its defaults", () => {
    const options = parseOptions([]);
    expect(options.runtimeImport).toBe("@micro-ts/runtime");
    expect(options.fileSuffix).toBe("");
    expect(options.importSuffix).toBe("");
    expect(options.snakeToCamelKeys).toBe(true);
    expect(options.useSnakeTypeName).toBe(true);
    expect(options.useJsonName).toBe(false);
    expect(options.moduleMappings.size).toBe(0);
  });

  it("parses ts-proto's naming options and M mappings", () => {
    const options = parseOptions([
      { key: "snakeToCamel", value: "json" },
      { key: "useSnakeTypeName", value: "false" },
      { key: "Mfoo/bar.proto", value: "@acme/bar" },
      { key: "messageSuffix", value: "Msg" },
    ]);
    expect(options.snakeToCamelKeys).toBe(false);
    expect(options.useSnakeTypeName).toBe(false);
    expect(options.moduleMappings.get("foo/bar.proto")).toBe("@acme/bar");
    expect(options.messageSuffix).toBe("Msg");
  });

  it("names the offending key or value", () => {
    expect(() => parseOptions([{ key: "outputServices", value: "grpc-js" }])).toThrow(
      'unknown option "outputServices"',
    );
    expect(() => parseOptions([{ key: "snakeToCamel", value: "keys_maybe" }])).toThrow(
      /snakeToCamel/,
    );
    expect(() => parseOptions([{ key: "Mfoo.proto", value: "" }])).toThrow(/Mfoo\.proto/);
    expect(() => parseOptions([{ key: "runtime_import", value: "" }])).toThrow(/runtime_import/);
  });
});

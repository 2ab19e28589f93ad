import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectPackageManager } from "../../src/scaffold/package-manager.js";
import { checkProjectName, projectNames } from "../../src/scaffold/names.js";
import { entries, finished, root, runCli, scratch, startCli } from "./cli.js";

describe("create-micro-service: flags", () => {
  it("prints help from the question table and exits 0", async () => {
    const result = await runCli(["--help"], scratch());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: create-micro-service [dir] [options]");
    for (const flag of [
      "--name",
      "--template",
      "--proto",
      "--registry",
      "--broker",
      "--transport",
    ]) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain("(local|nats|etcd), default local");
  });

  it("prints its version", async () => {
    const result = await runCli(["--version"], scratch());
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      version: string;
    };
    expect(result.stdout.trim()).toBe(manifest.version);
  });

  it("rejects an unknown flag, naming it", async () => {
    const result = await runCli(["x", "--colour", "red"], scratch());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--colour");
  });

  it("rejects a bad choice, naming the accepted values", async () => {
    const cwd = scratch();
    const result = await runCli(["svc", "--registry", "consul"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--registry must be one of local, nats, etcd, got "consul"');
    expect(entries(cwd)).toEqual([]);
  });

  it("plans the api and web templates, and refuses --proto with them", async () => {
    const api = await runCli(["gw", "--template", "api", "--dry-run"], scratch());
    expect(api.code, api.stderr).toBe(0);
    expect(api.stdout).toContain("src/auth.ts");
    const web = await runCli(["shop-web", "--template", "web", "--dry-run"], scratch());
    expect(web.code, web.stderr).toBe(0);
    expect(web.stdout).toContain("proto/shop/v1/shop.proto");
    expect(web.stdout).toContain("src/browser/gateway-client.ts");
    const cwd = scratch();
    const proto = await runCli(["gw", "--template", "api", "--proto", "."], cwd);
    expect(proto.code).toBe(1);
    expect(proto.stderr).toContain("--proto is not used by the api template");
    expect(entries(cwd)).toEqual([]);
  });

  it("never prompts without a terminal: a missing name is an error", async () => {
    const result = await runCli([], scratch());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--name is required when not running in a terminal");
  });

  it("--dry-run lists the files and writes nothing", async () => {
    const cwd = scratch();
    const result = await runCli(["orders", "--dry-run"], cwd);
    expect(result.code).toBe(0);
    for (const file of [
      "proto/orders/v1/orders.proto",
      "src/handlers/orders.ts",
      "src/subscribers/called.ts",
      "src/main.ts",
      "test/orders.test.ts",
      ".gitignore",
      "Dockerfile",
      "buf.gen.yaml",
    ]) {
      expect(result.stdout).toContain(`  ${file}\n`);
    }
    expect(entries(cwd)).toEqual([]);
  });
});

describe("create-micro-service: bad input", () => {
  it.each([
    ["Bad Name", "not a valid npm package name"],
    ["../escape", 'must not contain ".."'],
    ["@scope/../x", 'must not contain ".."'],
    ["http", "reserved name"],
    ["class", "reserved name"],
    ["node_modules", "reserved name"],
    ["9lives", "must start with a letter"],
  ])("refuses the name %s", async (name, message) => {
    const cwd = scratch();
    const result = await runCli(["--name", name, "--no-install", "--no-git"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(entries(cwd)).toEqual([]);
  });

  it("refuses a non-empty directory, listing what conflicts; --overwrite replaces only those", async () => {
    const cwd = scratch();
    mkdirSync(join(cwd, "svc", "src"), { recursive: true });
    writeFileSync(join(cwd, "svc", "README.md"), "mine\n");
    writeFileSync(join(cwd, "svc", "src", "notes.ts"), "export {};\n");
    const refused = await runCli(["svc", "--no-install", "--no-git"], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is not empty, and these files would be replaced: README.md");
    expect(refused.stderr).toContain("--overwrite");
    expect(readFileSync(join(cwd, "svc", "README.md"), "utf8")).toBe("mine\n");

    const overwritten = await runCli(["svc", "--no-install", "--no-git", "--overwrite"], cwd);
    expect(overwritten.code).toBe(0);
    expect(readFileSync(join(cwd, "svc", "README.md"), "utf8")).toContain("# svc");
    expect(existsSync(join(cwd, "svc", "src", "notes.ts"))).toBe(true);
    expect(existsSync(join(cwd, "svc", "src", "handlers", "svc.ts"))).toBe(true);
    expect(entries(cwd)).toEqual(["svc"]);
  });

  it("shows buf's file:line message for a proto that does not compile", async () => {
    const cwd = scratch();
    mkdirSync(join(cwd, "protos"));
    writeFileSync(
      join(cwd, "protos", "a.proto"),
      'syntax = "proto3";\npackage a.v1;\nmessage A {\n  strin name = 1;\n}\n',
    );
    const result = await runCli(["svc", "--proto", "protos", "--no-install", "--no-git"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does not compile");
    expect(result.stderr).toMatch(/protos\/a\.proto:4:\d+/);
    expect(entries(cwd)).toEqual(["protos"]);
  });

  it("leaves nothing behind when code generation fails half-way", async () => {
    // buf compiles this, but protoc-gen-micro refuses (micro.subscribe) on a streaming rpc,
    // after every file was already written to the staging folder.
    const cwd = scratch();
    mkdirSync(join(cwd, "protos"));
    writeFileSync(
      join(cwd, "protos", "s.proto"),
      [
        'syntax = "proto3";',
        "package s.v1;",
        'import "micro/options.proto";',
        "message E { string id = 1; }",
        "service S {",
        '  rpc On(E) returns (stream E) { option (micro.subscribe) = { name: "s.e" }; }',
        "}",
        "",
      ].join("\n"),
    );
    const result = await runCli(["svc", "--proto", "protos", "--no-install", "--no-git"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing was written");
    expect(result.stderr).toContain("streaming");
    expect(entries(cwd)).toEqual(["protos"]);
  });

  it("leaves nothing behind on Ctrl-C half-way", async () => {
    const cwd = scratch();
    const temp = scratch("create-micro-tmp-");
    const child = startCli(["svc", "--no-install", "--no-git"], cwd, { TMPDIR: temp });
    const done = finished(child);
    // Interrupt while buf compiles the protos (its scratch workspace exists).
    while (!readdirSync(temp).some((name) => name.startsWith("create-micro-image-"))) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("interrupted; nothing was written");
    expect(entries(cwd)).toEqual([]);
    // tsx keeps its cache there too; the scaffolder's scratch folders are gone.
    expect(entries(temp).filter((name) => name.startsWith("create-micro-"))).toEqual([]);
  });

  it("names the file of a single --proto file that does not compile", async () => {
    const cwd = scratch();
    mkdirSync(join(cwd, "contracts"));
    writeFileSync(
      join(cwd, "contracts", "a.proto"),
      'syntax = "proto3";\npackage a.v1;\nimport "missing/b.proto";\nmessage A {}\n',
    );
    const result = await runCli(
      ["svc", "--proto", "contracts/a.proto", "--no-install", "--no-git"],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/contracts\/a\.proto:3:\d+:imported file does not exist/);
    expect(entries(cwd)).toEqual(["contracts"]);
  });

  it("on Ctrl-C during the install, says so and exits 130; the project is complete", async () => {
    // A stand-in npm that never finishes (the real install is test/scaffold/project.test.ts).
    const cwd = scratch();
    const fake = scratch("create-micro-fake-npm-");
    writeFileSync(join(fake, "npm"), "#!/bin/sh\necho fake install\nexec sleep 60\n", {
      mode: 0o755,
    });
    const child = startCli(["svc", "--no-git"], cwd, {
      PATH: `${fake}:${process.env["PATH"] ?? ""}`,
    });
    const done = finished(child);
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("fake install")) resolve();
      }),
    );
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("interrupted during npm install; the project is complete");
    expect(existsSync(join(cwd, "svc", "src", "handlers", "svc.ts"))).toBe(true);
    expect(existsSync(join(cwd, "svc", "gen"))).toBe(true);
  });

  it("refuses an unwritable target", async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, "file"), "");
    const result = await runCli(["file/svc", "--no-install", "--no-git"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot write to .*file: (ENOTDIR|EEXIST)/);
    expect(entries(cwd)).toEqual(["file"]);
  });
});

describe("create-micro-service: projects", () => {
  it("scaffolds the example service with its generated code, a git repository and no install", async () => {
    const cwd = scratch();
    const result = await runCli(["order-service", "--no-install"], cwd);
    expect(result.code, result.stderr).toBe(0);
    const dir = join(cwd, "order-service");
    expect(entries(dir)).toEqual([
      ".dockerignore",
      ".git",
      ".gitignore",
      "Dockerfile",
      "README.md",
      "buf.gen.yaml",
      "buf.yaml",
      "gen",
      "package.json",
      "proto",
      "src",
      "test",
      "tsconfig.build.json",
      "tsconfig.json",
    ]);
    const micro = readFileSync(join(dir, "gen/order_service/v1/order_service.micro.ts"), "utf8");
    expect(micro).toContain("export interface OrderServiceHandler");
    expect(micro).toContain("export function createCalledPublisher");
    const handler = readFileSync(join(dir, "src/handlers/order-service.ts"), "utf8");
    expect(handler).toContain("export class OrderService implements OrderServiceHandler");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.scripts)).toEqual(
      expect.arrayContaining(["dev", "build", "start", "test", "generate", "check"]),
    );
    expect(manifest.dependencies["@micro-ts/runtime"]).toBe(
      `file:${join(root, "packages/runtime")}`,
    );
    expect(result.stdout).toContain("npm install");
  });

  it("writes the deployment choices into the Dockerfile and adds their engine clients", async () => {
    const cwd = scratch();
    const result = await runCli(
      ["svc", "--registry", "etcd", "--broker", "nats", "--transport", "grpc", "--dry-run"],
      cwd,
    );
    expect(result.code).toBe(0);
    const created = await runCli(
      [
        "svc",
        "--registry",
        "etcd",
        "--broker",
        "nats",
        "--transport",
        "grpc",
        "--no-install",
        "--no-git",
      ],
      cwd,
    );
    expect(created.code, created.stderr).toBe(0);
    const dockerfile = readFileSync(join(cwd, "svc", "Dockerfile"), "utf8");
    expect(dockerfile).toContain("ENV MICRO_REGISTRY=etcd");
    expect(dockerfile).toContain("ENV MICRO_BROKER=nats");
    expect(dockerfile).toContain("ENV MICRO_TRANSPORT=grpc");
    expect(dockerfile).toContain("USER node");
    const manifest = readFileSync(join(cwd, "svc", "package.json"), "utf8");
    for (const name of ["@grpc/grpc-js", "@nats-io/transport-node", "etcd3"]) {
      expect(manifest).toContain(`"${name}"`);
    }
  });

  it("scaffolds around existing protos: one handler per service, one subscriber per topic", async () => {
    const cwd = scratch();
    const result = await runCli(
      ["hello", "--proto", join(root, "examples/greeter/proto"), "--no-install", "--no-git"],
      cwd,
    );
    expect(result.code, result.stderr).toBe(0);
    const dir = join(cwd, "hello");
    expect(existsSync(join(dir, "proto/greeter/v1/greeter.proto"))).toBe(true);
    const handler = readFileSync(join(dir, "src/handlers/greeter.ts"), "utf8");
    expect(handler).toContain("export class Greeter implements GreeterHandler");
    for (const method of ["hello(", "*stream(", "upload(", "*chat("])
      expect(handler).toContain(method);
    expect(existsSync(join(dir, "src/subscribers/greeted.ts"))).toBe(true);
    expect(readFileSync(join(dir, "src/service.ts"), "utf8")).toContain(
      "registerGreetedSubscriber",
    );
  });
});

describe("names and package managers", () => {
  it("derives the proto package and service names from the npm name", () => {
    expect(projectNames("@acme/order-service")).toMatchObject({
      serviceName: "order-service",
      protoPackage: "order_service",
      pascal: "OrderService",
      camel: "orderService",
    });
    expect(checkProjectName("@acme/order-service")).toBeUndefined();
  });

  it("detects the package manager from npm_config_user_agent", () => {
    expect(detectPackageManager("pnpm/9.1.0 npm/? node/v20.19.0 linux x64")).toBe("pnpm");
    expect(detectPackageManager("yarn/4.1.0 npm/? node/v20.19.0 linux x64")).toBe("yarn");
    expect(detectPackageManager("npm/10.8.0 node/v20.19.0 linux x64")).toBe("npm");
    expect(detectPackageManager(undefined)).toBe("npm");
  });
});

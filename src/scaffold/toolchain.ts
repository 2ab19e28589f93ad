import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The checkout the scaffolder runs from. Its packages are not published yet, so a scaffolded
 * project links them from here (`file:` paths), and buf, ts-proto and protoc-gen-micro come
 * from its node_modules.
 */
export interface Toolchain {
  readonly root: string;
  /** node_modules/.bin of the checkout: buf, protoc-gen-ts_proto, protoc-gen-micro. */
  readonly bin: string;
  readonly runtimeDir: string;
  readonly pluginDir: string;
  /** The scaffolder's version (the root package's). */
  readonly version: string;
}

/** A tool that failed; `output` is what it printed, shown to the user as it is. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

/** Finds the checkout by walking up from this file to the `create-micro-service` package. */
export function findToolchain(from: string = fileURLToPath(import.meta.url)): Toolchain {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (pkg.name !== "create-micro-service") continue;
    return {
      root: dir,
      bin: join(dir, "node_modules", ".bin"),
      runtimeDir: join(dir, "packages", "runtime"),
      pluginDir: join(dir, "plugins", "protoc-gen-micro"),
      version: pkg.version ?? "0.0.0",
    };
  }
  throw new Error(`create-micro-service: cannot find its own package.json above ${from}`);
}

/**
 * Why this toolchain cannot scaffold a project, or undefined: the runtime is linked from the
 * checkout, so the scaffolder must run from one that was built (`npm ci` builds it).
 */
export function checkToolchain(toolchain: Toolchain): string | undefined {
  if (!existsSync(join(toolchain.runtimeDir, "package.json"))) {
    return `${toolchain.root} is not a checkout of the micro repository (no packages/runtime): the runtime is not published yet, so run create-micro-service from a clone (npm ci there builds it)`;
  }
  if (!existsSync(join(toolchain.bin, "buf"))) {
    return `buf is not installed in ${toolchain.root}: run npm ci there`;
  }
  return undefined;
}

/** Runs a tool of the checkout's node_modules/.bin with that folder first on PATH. */
export function runTool(
  toolchain: Toolchain,
  tool: string,
  args: readonly string[],
  cwd: string,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      join(toolchain.bin, tool),
      args,
      {
        cwd,
        env: { ...process.env, PATH: `${toolchain.bin}:${process.env["PATH"] ?? ""}` },
        maxBuffer: 16 * 1024 * 1024,
        ...(signal === undefined ? {} : { signal }),
      },
      (error, stdout, stderr) => {
        if (error === null) resolve();
        else reject(new ToolError(`${tool} ${args.join(" ")} failed`, `${stdout}${stderr}`.trim()));
      },
    );
  });
}

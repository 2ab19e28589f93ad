import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { UsageError } from "./errors.js";

/**
 * Where things are in a service project, as the scaffolder lays it out: protos and buf
 * config at the root, generated code in the `out` folders of buf.gen.yaml, user code in
 * `src/` (`main.ts`, `handlers/`, `subscribers/`).
 */
export interface ProjectLayout {
  readonly dir: string;
  /** `out` folders of buf.gen.yaml, relative to `dir`, without duplicates. */
  readonly outDirs: readonly string[];
  readonly srcDir: string;
  readonly mainFile: string;
  readonly handlersDir: string;
  readonly subscribersDir: string;
}

/** Reads the layout of the project in `dir`; fails naming the missing file. */
export function readProjectLayout(dir: string): ProjectLayout {
  const root = resolve(dir);
  for (const name of ["buf.yaml", "buf.gen.yaml"]) {
    if (!existsSync(join(root, name))) {
      throw new UsageError(
        `${join(root, name)} does not exist: run this in a project made by create-micro-service ` +
          `(or pass --dir <project>)`,
      );
    }
  }
  const outDirs = readOutDirs(readFileSync(join(root, "buf.gen.yaml"), "utf8"));
  if (outDirs.length === 0) {
    throw new UsageError(`${join(root, "buf.gen.yaml")} names no plugin "out" folder`);
  }
  for (const out of outDirs) {
    if (isAbsolute(out) || out.split(/[\\/]/).includes("..") || out === "." || out === "") {
      throw new UsageError(
        `buf.gen.yaml: out "${out}" must be a folder inside the project (micro generate replaces it)`,
      );
    }
  }
  const srcDir = join(root, "src");
  return {
    dir: root,
    outDirs,
    srcDir,
    mainFile: join(srcDir, "main.ts"),
    handlersDir: join(srcDir, "handlers"),
    subscribersDir: join(srcDir, "subscribers"),
  };
}

/** The `out:` values of a buf.gen.yaml (v1 or v2); a line-based read is enough for them. */
export function readOutDirs(yaml: string): string[] {
  const outs = new Set<string>();
  for (const line of yaml.split(/\r?\n/)) {
    const match = /^\s*(?:-\s+)?out:\s*(.+?)\s*(?:#.*)?$/.exec(line);
    if (match) outs.add((match[1] as string).replace(/^(["'])(.*)\1$/, "$2").replace(/\/+$/, ""));
  }
  return [...outs];
}

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { UsageError } from "./errors.js";

/**
 * Finds the project's `buf` (from the `@bufbuild/buf` npm package), so generation needs
 * neither a global buf nor protoc, and uses the version the project pinned.
 */
export function findBuf(projectDir: string): string {
  const require = createRequire(join(projectDir, "package.json"));
  try {
    return join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin", "buf");
  } catch {
    throw new UsageError(
      `buf is not installed in ${projectDir}: run npm install -D @bufbuild/buf there`,
    );
  }
}

/**
 * Runs `buf generate -o <outputBase>` in the project, with the project's
 * node_modules/.bin first on PATH so buf.gen.yaml's `local:` plugins are the project's.
 * A failure carries buf's own message (it names the proto file and line).
 */
export function runBufGenerate(projectDir: string, outputBase: string): Promise<void> {
  const buf = findBuf(projectDir);
  const path = [join(projectDir, "node_modules", ".bin"), process.env["PATH"] ?? ""].join(
    delimiter,
  );
  return new Promise((resolve, reject) => {
    execFile(
      buf,
      ["generate", "--output", outputBase],
      { cwd: projectDir, env: { ...process.env, PATH: path }, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new UsageError(`buf generate failed in ${projectDir}:\n${detail}`));
        } else {
          resolve();
        }
      },
    );
  });
}

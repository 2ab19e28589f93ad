import { createRequire } from "node:module";
import { join } from "node:path";
import { UsageError } from "./errors.js";

/** The ts-morph module, typed by the copy the repository tests with. */
export type TsMorph = typeof import("ts-morph");

/**
 * Loads ts-morph from the project, not from this package: it bundles TypeScript (~25 MB),
 * which would make `npm create micro-service` slow to install for a tool only `micro
 * generate` needs. Scaffolded projects list it as a devDependency.
 */
export function loadTsMorph(projectDir: string): TsMorph {
  const require = createRequire(join(projectDir, "package.json"));
  try {
    return require("ts-morph") as TsMorph;
  } catch (error) {
    throw new UsageError(
      `micro generate needs ts-morph in the project (${projectDir}), and it is not installed: ` +
        `run npm install -D ts-morph there. (${(error as Error).message.split("\n")[0]})`,
    );
  }
}

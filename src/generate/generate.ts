import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { runBufGenerate } from "./buf.js";
import { type GeneratedFile, readContracts } from "./contracts.js";
import { type ProjectLayout, readProjectLayout } from "./project-layout.js";
import { type SyncPlan, planSync } from "./sync-plan.js";
import { type TreeChange, applyTreeChanges, diffTrees, listFiles } from "./tree-diff.js";
import { type TsMorph, loadTsMorph } from "./ts-morph-loader.js";

/** Options of `generateProject`. */
export interface GenerateOptions {
  /** The project folder (with buf.yaml, buf.gen.yaml, src/). */
  readonly dir: string;
  /**
   * Write the changes (`micro generate`), or only compute them (`micro check`).
   * Default true.
   */
  readonly write?: boolean;
}

/** What a generation changed, or (with `write: false`) would change. */
export interface GenerateResult {
  readonly layout: ProjectLayout;
  /** Generated files that differ from a fresh `buf generate` (stale on disk). */
  readonly generated: readonly TreeChange[];
  readonly sync: SyncPlan;
}

/**
 * `micro generate` / `micro check`: runs `buf generate` into a temporary folder, compares it
 * with the out folders, and plans the user-code additions from the fresh contracts. Only
 * when everything was computed without error is anything written, so a bad proto or a
 * parse failure leaves the project as it was.
 */
export async function generateProject(options: GenerateOptions): Promise<GenerateResult> {
  const layout = readProjectLayout(options.dir);
  const morph = loadTsMorph(layout.dir);
  const temp = mkdtempSync(join(tmpdir(), "micro-generate-"));
  try {
    await runBufGenerate(layout.dir, temp);
    const generated = layout.outDirs.flatMap((out) =>
      diffTrees(join(layout.dir, out), join(temp, out), out),
    );
    const sync = planSync({
      morph,
      project: newProject(morph),
      layout,
      contracts: readContracts(morph, newProject(morph), microFiles(layout, temp)),
      previous: readContracts(morph, newProject(morph), microFiles(layout, layout.dir)),
      sources: readSources(layout),
    });
    if (options.write ?? true) {
      applyTreeChanges(layout.dir, generated);
      for (const change of sync.changes) {
        mkdirSync(dirname(change.path), { recursive: true });
        writeFileSync(change.path, change.after);
      }
    }
    return { layout, generated, sync };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function newProject(morph: TsMorph) {
  return new morph.Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: { noLib: true },
  });
}

/** `.micro.ts` files generated under `base`, named by their path in the project. */
function microFiles(layout: ProjectLayout, base: string): GeneratedFile[] {
  return layout.outDirs.flatMap((out) =>
    listFiles(join(base, out))
      .filter((file) => file.endsWith(".micro.ts"))
      .map((file) => ({
        path: join(layout.dir, out, file),
        text: readFileSync(join(base, out, file), "utf8"),
      })),
  );
}

/** The user's TypeScript under src/, leaving out generated folders and declarations. */
function readSources(layout: ProjectLayout): Map<string, string> {
  const outs = layout.outDirs.map((out) => join(layout.dir, out) + sep);
  const sources = new Map<string, string>();
  for (const file of listFiles(layout.srcDir)) {
    const path = join(layout.srcDir, file);
    if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
    if (file.split(sep).includes("node_modules") || outs.some((out) => path.startsWith(out)))
      continue;
    sources.set(path, readFileSync(path, "utf8"));
  }
  return sources;
}

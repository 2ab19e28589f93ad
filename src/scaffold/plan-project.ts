import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { projectNames } from "./names.js";
import type { CreateAnswers } from "./options.js";
import { type PlannedFile, plan } from "./plan.js";
import { generateFiles } from "./generate-in-process.js";
import { planAppProject } from "./plan-app-project.js";
import { readProtos } from "./read-protos.js";
import { loadFormatter, loadTemplates } from "./templates.js";
import type { Toolchain } from "./toolchain.js";

/** Options of `planProject`. */
export interface PlanProjectOptions {
  /** Include the generated code (`gen/`, see `generateFiles`). Default false. */
  readonly generate?: boolean;
  /** Aborts the generation (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/**
 * `plan` for a set of answers: reads `--proto` (relative to `cwd`), the template, the
 * checkout's dependency versions and prettier. Shared by the CLI and the yeoman adapter.
 */
export async function planProject(
  answers: CreateAnswers,
  cwd: string,
  toolchain: Toolchain,
  options: PlanProjectOptions = {},
): Promise<PlannedFile[]> {
  const { template } = answers;
  if (template !== "service") {
    const generate =
      options.generate === true
        ? (protos: ReadonlyMap<string, string>) => generateFiles(toolchain, protos, options.signal)
        : undefined;
    return planAppProject({ ...answers, template }, toolchain, generate);
  }
  const proto =
    answers.proto === undefined
      ? undefined
      : await readProtos(resolve(cwd, answers.proto), toolchain);
  const format = await loadFormatter();
  const manifest = JSON.parse(readFileSync(join(toolchain.root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return plan({
    names: projectNames(answers.name),
    registry: answers.registry,
    broker: answers.broker,
    transport: answers.transport,
    proto,
    templates: await loadTemplates(join(toolchain.root, "templates", answers.template)),
    links: { runtime: toolchain.runtimeDir, plugin: toolchain.pluginDir, cli: toolchain.root },
    versions: { ...manifest.devDependencies, ...manifest.dependencies },
    ...(format === undefined ? {} : { format }),
    ...(options.generate === true
      ? { generate: (protos) => generateFiles(toolchain, protos, options.signal) }
      : {}),
  });
}

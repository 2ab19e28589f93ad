import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "./args.js";
import { projectNames } from "./names.js";
import type { CreateAnswers } from "./options.js";
import { type AppTemplate, planApp } from "./plan-app.js";
import type { PlannedFile } from "./plan.js";
import { loadFormatter, loadTemplates } from "./templates.js";
import type { Toolchain } from "./toolchain.js";

/** Generates `gen/` from protos by path under `proto/` (the service template's generator). */
export type GenerateFiles = (
  protos: ReadonlyMap<string, string>,
) => Promise<readonly PlannedFile[]>;

/**
 * `planApp` for a set of answers: reads the template, the service template's example
 * proto (a web app's backend contract), the checkout's dependency versions and prettier;
 * a web app's `gen/` comes from `generate` when given. `--proto` is refused: the api
 * template needs no proto, and the web template calls the example backend.
 */
export async function planAppProject(
  answers: CreateAnswers & { readonly template: AppTemplate },
  toolchain: Toolchain,
  generate?: GenerateFiles,
): Promise<PlannedFile[]> {
  if (answers.proto !== undefined) {
    throw new UsageError(
      answers.template === "api"
        ? "--proto is not used by the api template: the gateway learns every service's endpoints from the registry"
        : "--proto is not supported by the web template yet: it calls the example backend (scaffold that with create-micro-service <name>)",
    );
  }
  const format = await loadFormatter();
  const manifest = JSON.parse(readFileSync(join(toolchain.root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const files = await planApp({
    template: answers.template,
    names: projectNames(answers.name),
    registry: answers.registry,
    templates: await loadTemplates(join(toolchain.root, "templates", answers.template)),
    exampleProto: await readFile(
      join(toolchain.root, "templates", "service", "_parts", "example.proto.hbs"),
      "utf8",
    ),
    links: { runtime: toolchain.runtimeDir, plugin: toolchain.pluginDir },
    versions: { ...manifest.devDependencies, ...manifest.dependencies },
    ...(format === undefined ? {} : { format }),
  });
  if (answers.template === "api" || generate === undefined) return files;
  const protos = new Map(
    files
      .filter((file) => file.path.startsWith("proto/"))
      .map((file) => [file.path.slice("proto/".length), file.content] as const),
  );
  return [...files, ...(await generate(protos))].sort((a, b) => a.path.localeCompare(b.path));
}

import Handlebars from "handlebars";
import { type ProjectNames, projectNames } from "./names.js";
import type { RegistryChoice } from "./options.js";
import { type PlannedFile, formatFiles } from "./plan.js";

/** The templates planned here: projects around the gateway rather than around a proto service. */
export type AppTemplate = "api" | "web";

/** Everything an `api` or `web` project is made from; `planApp` reads nothing else. */
export interface AppPlanOptions {
  readonly template: AppTemplate;
  readonly names: ProjectNames;
  readonly registry: RegistryChoice;
  /** The template folder, by relative path (`loadTemplates`). */
  readonly templates: ReadonlyMap<string, string>;
  /**
   * templates/service/_parts/example.proto.hbs: a web app's example backend contract is
   * the service template's example, so the two projects fit together as scaffolded.
   */
  readonly exampleProto: string;
  /** Absolute folders of the unpublished packages the project links (`file:`). */
  readonly links: { readonly runtime: string; readonly plugin: string };
  /** Version ranges of the npm packages the project depends on (the checkout's own). */
  readonly versions: Readonly<Record<string, string | undefined>>;
  /** Formats a file's text (prettier, when installed); default: as rendered. */
  readonly format?: (path: string, text: string) => Promise<string>;
}

/** Dotfiles are stored as `_name`: npm drops `.gitignore` from packages. */
const DOTFILES: Readonly<Record<string, string>> = { _gitignore: ".gitignore" };

/** The engine clients a registry choice needs in the project. */
const REGISTRY_PACKAGES: Record<RegistryChoice, readonly string[]> = {
  local: [],
  nats: ["@nats-io/transport-node", "@nats-io/jetstream", "@nats-io/kv"],
  etcd: ["etcd3"],
};

/**
 * The backend a web app calls: `shop-web` calls `shop` (the name without `-web`), so
 * `create-micro-service shop` and `create-micro-service shop-web --template web` fit.
 */
export function backendNames(names: ProjectNames): ProjectNames {
  const base = names.serviceName.replace(/-web$/, "");
  return projectNames(base === "" ? names.serviceName : base);
}

/**
 * The files of an `api` project (a gateway with its config, auth hook and tests) or a
 * `web` project (a web app registered under the web namespace that calls its backend
 * through the gateway with the backend's generated types), rendered and formatted.
 */
export async function planApp(options: AppPlanOptions): Promise<PlannedFile[]> {
  const { names, templates } = options;
  const hbs = Handlebars.create();
  hbs.registerHelper("json", (value: unknown) => JSON.stringify(value, null, 2));
  hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  const render = (text: string, context: object) =>
    hbs.compile(text, { noEscape: true, strict: true })(context);

  const backend = backendNames(names);
  const dependencies: Record<string, string> = {
    "@micro-ts/runtime": `file:${options.links.runtime}`,
  };
  for (const name of REGISTRY_PACKAGES[options.registry])
    dependencies[name] = version(options, name);
  const devDependencies: Record<string, string> = {
    "@types/node": version(options, "@types/node"),
    tsx: version(options, "tsx"),
    typescript: version(options, "typescript"),
    vitest: version(options, "vitest"),
  };
  const files: PlannedFile[] = [];
  if (options.template === "web") {
    dependencies["@bufbuild/protobuf"] = version(options, "@bufbuild/protobuf");
    devDependencies["@bufbuild/buf"] = version(options, "@bufbuild/buf");
    devDependencies["protoc-gen-micro"] = `file:${options.links.plugin}`;
    devDependencies["ts-proto"] = version(options, "ts-proto");
    files.push({
      path: `proto/${backend.protoPackage}/v1/${backend.protoPackage}.proto`,
      content: render(options.exampleProto, { names: backend }),
    });
  }
  const context = {
    names,
    backend,
    registry: options.registry,
    dependencies: sorted(dependencies),
    devDependencies: sorted(devDependencies),
    backendModule: `${backend.protoPackage}/v1/${backend.protoPackage}`,
  };
  for (const [path, text] of templates) {
    const target = DOTFILES[path] ?? path.replace(/\.hbs$/, "");
    files.push({ path: target, content: path.endsWith(".hbs") ? render(text, context) : text });
  }
  const formatted = await formatFiles(files, options.format);
  return formatted.sort((a, b) => a.path.localeCompare(b.path));
}

function version(options: AppPlanOptions, name: string): string {
  const range = options.versions[name];
  if (range === undefined) {
    throw new Error(`create-micro-service: no version of ${name} in the checkout's package.json`);
  }
  return range;
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

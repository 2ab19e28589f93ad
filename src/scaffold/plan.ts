import Handlebars from "handlebars";
import { exampleModel } from "./example-model.js";
import { type ProjectNames, kebabCase } from "./names.js";
import type { BrokerChoice, RegistryChoice, TransportChoice } from "./options.js";
import type { ProtoModel, ServiceModel, TypeRef } from "./proto-model.js";

/** Everything a project is made from; `plan` reads nothing else. */
export interface PlanOptions {
  readonly names: ProjectNames;
  readonly registry: RegistryChoice;
  readonly broker: BrokerChoice;
  readonly transport: TransportChoice;
  /** The user's protos (`readProtos`), or undefined for the example service. */
  readonly proto: ProtoModel | undefined;
  /** templates/service, by relative path (`loadTemplates`). */
  readonly templates: ReadonlyMap<string, string>;
  /**
   * Absolute folders of the unpublished packages the project links (`file:`): the runtime,
   * protoc-gen-micro, and this package (the `micro` CLI its generate/check scripts run).
   */
  readonly links: { readonly runtime: string; readonly plugin: string; readonly cli: string };
  /** Version ranges of the npm packages the project depends on (the checkout's own). */
  readonly versions: Readonly<Record<string, string | undefined>>;
  /** Formats a file's text (prettier, when installed); default: as rendered. */
  readonly format?: (path: string, text: string) => Promise<string>;
  /**
   * The generated code (`gen/`) from the protos (by path under `proto/`), added to the plan
   * as it is; it runs while the other files are formatted. Default: none (`--dry-run`).
   */
  readonly generate?: (protos: ReadonlyMap<string, string>) => Promise<readonly PlannedFile[]>;
}

/** One file of the project, by path relative to its folder. */
export interface PlannedFile {
  readonly path: string;
  readonly content: string;
}

/** Templates rendered per service or topic, or only for the example; the rest are copied 1:1. */
const PARTS = "_parts/";

/** Dotfiles are stored as `_name`: npm drops `.gitignore` from packages. */
const DOTFILES: Readonly<Record<string, string>> = {
  _gitignore: ".gitignore",
  _dockerignore: ".dockerignore",
};

/** Deployment settings and the engine clients they need, per choice. */
const REGISTRY_ENV: Record<RegistryChoice, Record<string, string>> = {
  local: { MICRO_REGISTRY: "local" },
  nats: { MICRO_REGISTRY: "nats", MICRO_REGISTRY_ADDRESS: "nats://nats:4222" },
  etcd: { MICRO_REGISTRY: "etcd", MICRO_REGISTRY_ADDRESS: "http://etcd:2379" },
};
const BROKER_ENV: Record<BrokerChoice, Record<string, string>> = {
  local: { MICRO_BROKER: "local" },
  nats: { MICRO_BROKER: "nats", MICRO_BROKER_ADDRESS: "nats://nats:4222" },
};
const ENGINE_PACKAGES = {
  grpc: "@grpc/grpc-js",
  nats: "@nats-io/transport-node",
  etcd: "etcd3",
} as const;

/**
 * The complete set of files of a new project, rendered and formatted, written nowhere:
 * `writeProject` puts them on disk all at once, and `--dry-run` only lists them.
 */
export async function plan(options: PlanOptions): Promise<PlannedFile[]> {
  const { names, templates } = options;
  const hbs = Handlebars.create();
  hbs.registerHelper("json", (value: unknown) => JSON.stringify(value, null, 2));
  hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  const render = (template: string, context: object) =>
    hbs.compile(part(templates, template), { noEscape: true, strict: true })(context);

  const example = options.proto === undefined;
  const proto =
    options.proto ?? exampleModel(names, render(`${PARTS}example.proto.hbs`, { names }));
  const files: PlannedFile[] = [];
  // Copied 1:1, already formatted (the repository's format check covers templates/).
  const copied: PlannedFile[] = [];
  const add = (path: string, content: string) => files.push({ path, content });

  for (const [name, text] of proto.files) add(`proto/${name}`, text);
  const generated = options.generate?.(proto.files) ?? Promise.resolve([]);
  generated.catch(() => undefined);

  const handlers = proto.services.map((service) => ({
    service,
    class: service.base,
    base: service.base,
    file: kebabCase(service.base),
    rpcs: service.rpcs,
    args: example ? "createCalledPublisher(service.client)" : "",
  }));
  const subscribers = proto.topics.map((topic) => ({
    topic,
    class: `${topic.base}Log`,
    base: topic.base,
    file: kebabCase(topic.base),
  }));
  for (const handler of handlers) {
    const { service } = handler;
    if (example) {
      const module = service.microModule.replace(/\.micro$/, "");
      add(
        `src/handlers/${handler.file}.ts`,
        render(`${PARTS}example-handler.ts.hbs`, { names, service, module }),
      );
    } else {
      add(
        `src/handlers/${handler.file}.ts`,
        render(`${PARTS}handler.ts.hbs`, {
          service,
          imports: messageImports(service.rpcs.flatMap((r) => [r.input, r.output])),
        }),
      );
    }
  }
  for (const subscriber of subscribers) {
    add(`src/subscribers/${subscriber.file}.ts`, render(`${PARTS}subscriber.ts.hbs`, subscriber));
  }

  const microImports = groupImports([
    ...handlers.map((h) => ({ module: h.service.microModule, name: `register${h.base}Handler` })),
    ...subscribers.map((s) => ({
      module: s.topic.microModule,
      name: `register${s.base}Subscriber`,
    })),
    ...(example
      ? [{ module: proto.topics[0]?.microModule ?? "", name: "createCalledPublisher" }]
      : []),
  ]);
  const first = proto.services[0];
  const testFile = `test/${names.kebab}.test.ts`;
  if (example && first !== undefined) {
    add(
      testFile,
      render(`${PARTS}example.test.ts.hbs`, {
        names,
        service: first,
        handlerFile: kebabCase(first.base),
      }),
    );
  } else {
    const call = firstUnary(proto.services);
    add(
      testFile,
      render(`${PARTS}service.test.ts.hbs`, {
        names,
        handlers,
        call,
        messageImports: call ? messageImports([call.rpc.input, call.rpc.output]) : [],
      }),
    );
  }

  const dependencies: Record<string, string> = {
    "@bufbuild/protobuf": version(options, "@bufbuild/protobuf"),
    "@micro-ts/runtime": `file:${options.links.runtime}`,
  };
  if (options.transport === "grpc") addEngine(dependencies, options, ENGINE_PACKAGES.grpc);
  if (options.registry === "nats" || options.broker === "nats")
    addEngine(dependencies, options, ENGINE_PACKAGES.nats);
  if (options.registry === "etcd") addEngine(dependencies, options, ENGINE_PACKAGES.etcd);
  const devDependencies: Record<string, string> = {
    "@bufbuild/buf": version(options, "@bufbuild/buf"),
    "@types/node": version(options, "@types/node"),
    "create-micro-service": `file:${options.links.cli}`,
    "protoc-gen-micro": `file:${options.links.plugin}`,
    "ts-morph": version(options, "ts-morph"),
    "ts-proto": version(options, "ts-proto"),
    tsx: version(options, "tsx"),
    typescript: version(options, "typescript"),
    vitest: version(options, "vitest"),
  };
  const env = Object.entries({
    MICRO_TRANSPORT: options.transport,
    ...REGISTRY_ENV[options.registry],
    ...BROKER_ENV[options.broker],
  }).map(([key, value]) => ({ key, value }));
  const callTarget =
    firstUnary(proto.services) ?? (first ? { service: first, rpc: first.rpcs[0] } : undefined);
  const context = {
    names,
    handlers,
    subscribers,
    microImports,
    dependencies: sorted(dependencies),
    devDependencies: sorted(devDependencies),
    env,
    registry: options.registry,
    broker: options.broker,
    transport: options.transport,
    protoEntry: `proto/${[...proto.files.keys()][0] ?? ""}`,
    callService: callTarget?.service.base ?? names.pascal,
    callModule: callTarget?.service.microModule ?? "",
    callPath: callTarget?.rpc ? `${callTarget.service.fullName}/${callTarget.rpc.protoName}` : "",
  };
  for (const [path, text] of templates) {
    if (path.startsWith(PARTS)) continue;
    const target = DOTFILES[path] ?? path.replace(/\.hbs$/, "");
    if (path.endsWith(".hbs")) add(target, render(path, context));
    else copied.push({ path: target, content: text });
  }

  const formatted = await formatFiles(files, options.format);
  return [...formatted, ...copied, ...(await generated)].sort((a, b) =>
    a.path.localeCompare(b.path),
  );
}

function part(templates: ReadonlyMap<string, string>, path: string): string {
  const text = templates.get(path);
  if (text === undefined) throw new Error(`the template ${path} is missing from templates/service`);
  return text;
}

/** One import line's worth of names. */
interface ImportGroup {
  readonly module: string;
  readonly names: readonly string[];
}

/** Groups names by module, each group and its names sorted, duplicates dropped. */
function groupImports(items: readonly { module: string; name: string }[]): ImportGroup[] {
  const byModule = new Map<string, Set<string>>();
  for (const { module, name } of items) {
    byModule.set(module, (byModule.get(module) ?? new Set()).add(name));
  }
  return [...byModule]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([module, names]) => ({ module, names: [...names].sort() }));
}

function messageImports(types: readonly TypeRef[]): ImportGroup[] {
  return groupImports(types.map((type) => ({ module: type.module, name: type.name })));
}

/** The first unary rpc, which the generated test calls over the network. */
function firstUnary(services: readonly ServiceModel[]) {
  for (const service of services) {
    const rpc = service.rpcs.find((candidate) => candidate.kind === "unary");
    if (rpc !== undefined) return { service, rpc };
  }
  return undefined;
}

function version(options: PlanOptions, name: string): string {
  const range = options.versions[name];
  if (range === undefined) {
    throw new Error(`create-micro-service: no version of ${name} in the checkout's package.json`);
  }
  return range;
}

function addEngine(into: Record<string, string>, options: PlanOptions, name: string): void {
  into[name] = version(options, name);
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Formats every file with `format` (all at once: the worker overlaps them), or none without. */
export async function formatFiles(
  files: readonly PlannedFile[],
  format: ((path: string, text: string) => Promise<string>) | undefined,
): Promise<PlannedFile[]> {
  if (format === undefined) return [...files];
  return Promise.all(
    files.map(async (file) => ({
      path: file.path,
      content: await format(file.path, file.content),
    })),
  );
}

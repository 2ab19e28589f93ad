import { MicroError } from "@micro-ts/runtime";
import { UsageError } from "../generate/errors.js";
import { apiCommand } from "./api-command.js";
import { type FlagSpec, type ParsedArgs, parseVerbArgs } from "./args.js";
import { callCommand } from "./call-command.js";
import { checkCommand, generateCommand } from "./generate-command.js";
import { healthCommand } from "./health-command.js";
import { type CliIo, err, out, paint } from "./io.js";
import { publishCommand } from "./publish-command.js";
import { servicesCommand } from "./services-command.js";
import { webCommand } from "./web-command.js";

/** One verb of the `micro` command: its help and flags are data, so `--help` cannot drift. */
interface Verb {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly details: readonly string[];
  readonly flags: FlagSpec;
  readonly flagHelp: readonly (readonly [string, string])[];
  readonly maxPositionals: number;
  readonly run: (args: ParsedArgs, io: CliIo) => Promise<number>;
}

const HELP = { help: { type: "boolean", short: "h" } } as const;
const DIR = { dir: { type: "string" } } as const;
const DIR_HELP = ["--dir <path>", "the project folder (default: the current folder)"] as const;
const TIMEOUT_HELP = ["--timeout <duration>", "time budget: 1500ms, 5s, 2m"] as const;
const METADATA_HELP = ["-m, --metadata <k=v>", "request metadata; repeat for more"] as const;

const VERBS: readonly Verb[] = [
  {
    name: "generate",
    usage: "micro generate [--dir <path>]",
    summary: "regenerate code from the protos and add what new rpcs, services and topics need",
    details: [
      "Runs buf generate (the project's @bufbuild/buf) and syncs src/ with the generated code:",
      "a new rpc adds a stub method (it throws notImplemented, marked TODO) to the class that",
      "implements the service's handler interface; a new service or topic gets a file in",
      "src/handlers or src/subscribers and a registration beside the existing ones. It only",
      "inserts: code you wrote is never rewritten or reformatted. Removed rpcs are reported.",
      "Needs ts-morph in the project (npm install -D ts-morph).",
    ],
    flags: { ...HELP, ...DIR },
    flagHelp: [DIR_HELP],
    maxPositionals: 0,
    run: generateCommand,
  },
  {
    name: "check",
    usage: "micro check [--dir <path>]",
    summary: "fail when generated code or handlers are out of sync with the protos",
    details: [
      "Generates into a temporary folder and compares it with the project's generated code,",
      "and checks that every handler and subscriber interface is implemented in full.",
      "Exit 0 when in sync, 1 naming each stale file or missing method. Writes nothing.",
    ],
    flags: { ...HELP, ...DIR },
    flagHelp: [DIR_HELP],
    maxPositionals: 0,
    run: checkCommand,
  },
  {
    name: "services",
    usage: "micro services [service] [--json]",
    summary: "list registered services with their nodes and endpoints",
    details: ["Reads the registry services use (MICRO_REGISTRY_ADDRESS, ...)."],
    flags: { ...HELP, json: { type: "boolean" } },
    flagHelp: [["--json", "print the registry records as JSON"]],
    maxPositionals: 1,
    run: servicesCommand,
  },
  {
    name: "call",
    usage: "micro call <service> <Endpoint> [json]",
    summary: "call an endpoint with a JSON request",
    details: [
      'Example: micro call greeter Greeter.Hello \'{"name":"Ada"}\'',
      "The endpoint's path and kind come from the registry. Without a JSON argument the",
      "request is read from stdin when piped, else it is {}. Streamed responses print one JSON",
      "line each as they arrive; client and bidi streams take a JSON array argument or one",
      "JSON object per stdin line. Calls go in JSON over the transport the service's nodes",
      "use (http or nats; grpc carries protobuf only and is refused with what to do).",
    ],
    flags: {
      ...HELP,
      timeout: { type: "string" },
      metadata: { type: "string", short: "m", multiple: true },
    },
    flagHelp: [TIMEOUT_HELP, METADATA_HELP],
    maxPositionals: 3,
    run: callCommand,
  },
  {
    name: "publish",
    usage: "micro publish <topic> [json]",
    summary: "publish a JSON message on a topic",
    details: [
      'Example: micro publish greeter.greeted \'{"name":"Ada"}\'',
      "The message carries content-type application/json; subscribers decode it as JSON.",
      "Without a JSON argument the message is read from stdin when piped, else it is {}.",
    ],
    flags: { ...HELP, metadata: { type: "string", short: "m", multiple: true } },
    flagHelp: [METADATA_HELP],
    maxPositionals: 2,
    run: publishCommand,
  },
  {
    name: "health",
    usage: "micro health <service> [--timeout <duration>]",
    summary: "check that every node of a service answers",
    details: [
      "A node is healthy when it answers a probe over its transport within the timeout",
      "(default 2s). The probe calls a method no service has, so no handler runs: a 'not",
      "found' answer means alive; a refused connection, a timeout or 502/503/504 means down.",
      "Exit 0 only when every node is healthy.",
    ],
    flags: { ...HELP, timeout: { type: "string" } },
    flagHelp: [TIMEOUT_HELP],
    maxPositionals: 1,
    run: healthCommand,
  },
  {
    name: "api",
    usage: "micro api [--address host:port] [--cors origin] [--timeout duration] [--workers n]",
    summary: "serve the HTTP API gateway: JSON to the registered services",
    details: [
      "Routes each service's google.api.http rules, and POST /<service>/<method> (e.g.",
      "/greeter/hello) for every endpoint; routes follow services as they start and stop.",
      "Server streams answer as Server-Sent Events, or NDJSON with Accept:",
      "application/x-ndjson. GET / lists the services, GET /openapi.json describes the",
      "routes (OpenAPI 3.1). Runs until Ctrl-C or SIGTERM.",
    ],
    flags: {
      ...HELP,
      address: { type: "string" },
      cors: { type: "string", multiple: true },
      timeout: { type: "string" },
      workers: { type: "string" },
    },
    flagHelp: [
      ["--address <host:port>", "where to listen (default :8080, all interfaces)"],
      ["--cors <origin>", "allow browsers on this origin (or *); repeat for more"],
      ["--timeout <duration>", "budget of a unary call through the gateway (default 10s)"],
      ["--workers <n>", "gateway processes sharing the port, one per core to use (default 1)"],
    ],
    maxPositionals: 0,
    run: apiCommand,
  },
  {
    name: "web",
    usage: "micro web [--address host:port] [--namespace prefix]",
    summary: "serve the dashboard: services, endpoints, topics, a call and a publish form",
    details: [
      "Lists what is registered and updates live as services start and stop. Calls go",
      "through the API gateway, mounted under /api; web apps registered as <prefix><name>",
      "are proxied at /<name>/. Runs until Ctrl-C or SIGTERM.",
    ],
    flags: { ...HELP, address: { type: "string" }, namespace: { type: "string" } },
    flagHelp: [
      ["--address <host:port>", "where to listen (default :8082, all interfaces)"],
      ["--namespace <prefix>", "service name prefix of web apps (default micro.web.)"],
    ],
    maxPositionals: 0,
    run: webCommand,
  },
];

/** Exit codes: 0 success, 1 failure (bad input, failed call, out of sync), 2 bad command line. */
const USAGE_EXIT = 2;

/** Runs `micro <argv>` and resolves to the exit code; output goes through `io` only. */
export async function runMicro(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic !== undefined) return runMicro([topic, "--help"], io);
    out(io, mainHelp(io));
    return name === undefined ? USAGE_EXIT : 0;
  }
  if (name === "new") {
    // Loaded on demand: the scaffolder's prompts and templates are not needed otherwise.
    const { runCreate } = await import("../scaffold/index.js");
    return runCreate(rest, { ...io, command: "micro new" });
  }
  const verb = VERBS.find((v) => v.name === name);
  if (!verb) {
    err(
      io,
      `micro: unknown command ${JSON.stringify(name)}; commands: new, ${VERBS.map((v) => v.name).join(", ")} (see micro --help)`,
    );
    return USAGE_EXIT;
  }
  let args: ParsedArgs;
  try {
    args = parseVerbArgs(verb.name, rest, verb.flags, verb.maxPositionals);
  } catch (error) {
    err(io, `${paint(io, io.stderr, "red", "error:")} ${(error as Error).message}`);
    return USAGE_EXIT;
  }
  if (args.values["help"] === true) {
    out(io, verbHelp(verb));
    return 0;
  }
  try {
    return await verb.run(args, io);
  } catch (error) {
    err(io, `${paint(io, io.stderr, "red", "error:")} ${describeError(error)}`);
    return 1;
  }
}

function describeError(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof MicroError) return `${error.code} ${error.id}: ${error.detail}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function mainHelp(io: CliIo): string {
  const width = Math.max(...VERBS.map((v) => v.name.length), 3);
  return [
    "micro: generate code from protos and talk to running services",
    "",
    "Usage: micro <command> [options]   (micro <command> --help for its options)",
    "",
    "Commands:",
    `  ${paint(io, io.stdout, "bold", "new".padEnd(width))}  create a service project (as npm create micro-service)`,
    ...VERBS.map((v) => `  ${paint(io, io.stdout, "bold", v.name.padEnd(width))}  ${v.summary}`),
    "",
    "Services, call, publish, health, api and web read the same MICRO_* variables as services",
    "(MICRO_REGISTRY, MICRO_BROKER, MICRO_TRANSPORT, their _ADDRESS, MICRO_CONNECT_TIMEOUT, ...).",
  ].join("\n");
}

function verbHelp(verb: Verb): string {
  const flags = [...verb.flagHelp, ["-h, --help", "show this help"] as const];
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return [
    `Usage: ${verb.usage}`,
    "",
    `${verb.summary[0]?.toUpperCase()}${verb.summary.slice(1)}.`,
    "",
    ...verb.details,
    "",
    "Options:",
    ...flags.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
  ].join("\n");
}

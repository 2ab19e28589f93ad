import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { checkProjectName } from "./names.js";

/** Templates the scaffolder knows: a service, an API gateway, a web app. */
export const TEMPLATES = ["service", "api", "web"] as const;
/** Registries a scaffolded service can be configured for (written to its deployment config). */
export const REGISTRIES = ["local", "nats", "etcd"] as const;
/** Brokers a scaffolded service can be configured for. */
export const BROKERS = ["local", "nats"] as const;
/** Transports a scaffolded service can be configured for. */
export const TRANSPORTS = ["http", "grpc"] as const;

export type TemplateName = (typeof TEMPLATES)[number];
export type RegistryChoice = (typeof REGISTRIES)[number];
export type BrokerChoice = (typeof BROKERS)[number];
export type TransportChoice = (typeof TRANSPORTS)[number];

/** What a user chose: the answers the table below asks for, after validation. */
export interface CreateAnswers {
  readonly directory: string;
  readonly name: string;
  readonly template: TemplateName;
  readonly proto: string | undefined;
  readonly registry: RegistryChoice;
  readonly broker: BrokerChoice;
  readonly transport: TransportChoice;
}

/**
 * One question of the scaffolder. The same row drives the `--flag`, the `--help` line, the
 * interactive prompt and validation, so the four can never disagree (create-vite's idea).
 */
export interface Question {
  readonly key: Exclude<keyof CreateAnswers, "directory">;
  readonly valueName: string;
  readonly help: string;
  /** The prompt's message. */
  readonly message: string;
  /** Fixed choices (a select prompt), or free text (an input prompt). */
  readonly choices?: readonly string[];
  /** Used when neither a flag nor a prompt answered; undefined means the answer is required. */
  readonly default?: string;
  /** Why a free-text answer is bad, or undefined when it is fine. */
  readonly validate?: (value: string, cwd: string) => string | undefined;
}

/** The questions, in the order they are asked; each key is also its `--flag`. */
export const QUESTIONS: readonly Question[] = [
  {
    key: "name",
    valueName: "<name>",
    help: "npm package name of the project (default: the directory's name)",
    message: "Project name",
    validate: checkProjectName,
  },
  {
    key: "template",
    valueName: "<template>",
    help: "service, api (an HTTP gateway) or web (a web app behind micro web)",
    message: "Template",
    choices: TEMPLATES,
    default: "service",
  },
  {
    key: "proto",
    valueName: "<file|dir>",
    help: "scaffold around existing .proto files instead of the example",
    message: "Existing .proto file or folder (empty for the example service)",
    default: "",
    validate: (value, cwd) =>
      value === "" || existsSync(resolve(cwd, value))
        ? undefined
        : `--proto ${value}: no such file or folder (relative paths start at ${cwd})`,
  },
  {
    key: "registry",
    valueName: "<registry>",
    help: "registry of the deployed service (MICRO_REGISTRY in the Dockerfile)",
    message: "Registry",
    choices: REGISTRIES,
    default: "local",
  },
  {
    key: "broker",
    valueName: "<broker>",
    help: "broker of the deployed service (MICRO_BROKER in the Dockerfile)",
    message: "Broker",
    choices: BROKERS,
    default: "local",
  },
  {
    key: "transport",
    valueName: "<transport>",
    help: "transport of the deployed service (MICRO_TRANSPORT in the Dockerfile)",
    message: "Transport",
    choices: TRANSPORTS,
    default: "http",
  },
];

/** Why `value` is not a good answer to `question`, or undefined when it is. */
export function checkAnswer(question: Question, value: string, cwd: string): string | undefined {
  if (question.choices !== undefined && !question.choices.includes(value)) {
    return `--${question.key} must be one of ${question.choices.join(", ")}, got "${value}"`;
  }
  return question.validate?.(value, cwd);
}

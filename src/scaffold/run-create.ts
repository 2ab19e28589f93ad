import { execFile, spawn } from "node:child_process";
import { basename, relative, resolve } from "node:path";
import { type CreateArgs, UsageError, helpText, parseCreateArgs } from "./args.js";
import { checkProjectName, projectNames } from "./names.js";
import { type CreateAnswers, QUESTIONS, type Question, checkAnswer } from "./options.js";
import { detectPackageManager, runScript } from "./package-manager.js";
import type { PlannedFile } from "./plan.js";
import { planProject } from "./plan-project.js";
import { ProtoError } from "./read-protos.js";
import { ToolError, checkToolchain, findToolchain } from "./toolchain.js";
import { TargetError, checkTarget, writeProject } from "./write.js";

/** Where the scaffolder reads and writes: the process's, or a test's or `micro new`'s. */
export interface CreateIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The command's name in help and messages. Default `create-micro-service`. */
  readonly command?: string;
  /** Aborts the run (Ctrl-C); whatever was written so far is removed. */
  readonly signal?: AbortSignal;
}

/** Bad answers, missing answers, unusable protos and targets: a message, exit 1. */
class CreateError extends Error {}

/**
 * `create-micro-service [dir] [options]` (also `micro new`): asks for what the flags did not
 * say when in a terminal, plans the project, writes it all at once with its generated code,
 * then initializes git and installs dependencies. Resolves to the exit code.
 */
export async function runCreate(argv: readonly string[], io: CreateIo): Promise<number> {
  const command = io.command ?? "create-micro-service";
  const print = (line: string) => io.stdout.write(`${line}\n`);
  const fail = (message: string) => {
    io.stderr.write(`${command}: ${message}\n`);
    return 1;
  };
  try {
    const args = parseCreateArgs(argv);
    const toolchain = findToolchain();
    if (args.help) {
      print(helpText(command));
      return 0;
    }
    if (args.version) {
      print(toolchain.version);
      return 0;
    }
    const answers = await answer(args, io);
    const problem = checkToolchain(toolchain);
    if (problem !== undefined) return fail(problem);
    // gen/ is planned too (and so checked) unless this is a dry run.
    const files = await planProject(answers, io.cwd, toolchain, {
      generate: !args.dryRun,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    const target = resolve(io.cwd, answers.directory);
    const refusal = await checkTarget(target, files, args.overwrite);
    if (refusal !== undefined) return fail(refusal);
    if (args.dryRun) {
      print(`Would create ${target} with:`);
      for (const file of files) print(`  ${file.path}`);
      print("  gen/ (generated from the protos: ts-proto and protoc-gen-micro)");
      return 0;
    }
    await writeProject(target, files, {
      overwrite: args.overwrite,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    const own = files.filter((file) => !file.path.startsWith("gen/"));
    print(`Created ${target} (${own.length} files and gen/)`);
    return await finish(target, own, args, io, print);
  } catch (error) {
    if (error instanceof ToolError && io.signal?.aborted !== true) {
      return fail(`${error.message}; nothing was written:\n${error.output}`);
    }
    if (io.signal?.aborted || isPromptExit(error)) {
      io.stderr.write(`${command}: interrupted; nothing was written\n`);
      return 130;
    }
    if (
      error instanceof UsageError ||
      error instanceof CreateError ||
      error instanceof ProtoError ||
      error instanceof TargetError
    ) {
      return fail(error.message);
    }
    throw error;
  }
}

/** After the files are in place: git, install, and what to run next. */
async function finish(
  target: string,
  files: readonly PlannedFile[],
  args: CreateArgs,
  io: CreateIo,
  print: (line: string) => void,
): Promise<number> {
  const manager = detectPackageManager(io.env["npm_config_user_agent"]);
  if (args.git && !(await insideGitRepository(target))) {
    try {
      await exec("git", ["init", "--quiet"], target);
      print("Initialized a git repository");
    } catch (error) {
      io.stderr.write(`git init failed (${String(error)}); the project is complete without it\n`);
    }
  }
  if (args.install) {
    print(`Installing dependencies with ${manager}...`);
    const code = await new Promise<number>((done) => {
      const child = spawn(manager, ["install"], {
        cwd: target,
        stdio: ["ignore", "pipe", "pipe"],
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      child.stdout.pipe(io.stdout, { end: false });
      child.stderr.pipe(io.stderr, { end: false });
      child.on("error", () => done(io.signal?.aborted ? 130 : 127));
      child.on("close", (exitCode) => done(io.signal?.aborted ? 130 : (exitCode ?? 1)));
    });
    if (code === 130) {
      // Ctrl-C: the project is complete on disk; only its node_modules are not.
      io.stderr.write(
        `interrupted during ${manager} install; the project is complete: run ${manager} install in ${target}\n`,
      );
      return 130;
    }
    if (code !== 0) {
      io.stderr.write(
        `${manager} install failed (exit ${code}); the project is complete: run it again in ${target}\n`,
      );
      return 1;
    }
  }
  const where = relative(io.cwd, target) || ".";
  print("");
  print("Next:");
  if (where !== ".") print(`  cd ${where}`);
  if (!args.install) print(`  ${manager} install`);
  print(`  ${runScript(manager, "test")}`);
  print(`  ${runScript(manager, "dev")}`);
  print(`(${files.length} files; see README.md)`);
  return 0;
}

/** Fills every answer: flags first, then prompts (in a terminal), then defaults. */
async function answer(args: CreateArgs, io: CreateIo): Promise<CreateAnswers> {
  const interactive = io.stdin.isTTY === true && !io.env["CI"] && !args.yes;
  const prompts = interactive ? await import("@inquirer/prompts") : undefined;
  const context = {
    input: io.stdin,
    output: io.stdout,
    ...(io.signal ? { signal: io.signal } : {}),
  };
  const values: Partial<Record<keyof CreateAnswers, string>> = {};
  const ask = async (question: Question, fallback: string | undefined): Promise<string> => {
    const given =
      question.key === "name" ? (args.given.name ?? fallback) : args.given[question.key];
    if (given !== undefined) {
      const problem = checkAnswer(question, given, io.cwd);
      if (problem !== undefined) throw new CreateError(problem);
      return given;
    }
    if (prompts !== undefined) {
      if (question.choices !== undefined) {
        return prompts.select(
          {
            message: question.message,
            choices: question.choices.map((value) => ({ value })),
            ...(question.default === undefined ? {} : { default: question.default }),
          },
          context,
        );
      }
      return prompts.input(
        {
          message: question.message,
          ...(question.default ? { default: question.default } : {}),
          validate: (value: string) => checkAnswer(question, value.trim(), io.cwd) ?? true,
        },
        context,
      );
    }
    if (question.default !== undefined) return question.default;
    throw new CreateError(
      `--${question.key} is required when not running in a terminal (or pass [dir]); see --help`,
    );
  };
  for (const question of QUESTIONS) {
    const fromDirectory =
      args.directory === undefined ? undefined : basename(resolve(io.cwd, args.directory));
    values[question.key] = (
      await ask(question, question.key === "name" ? fromDirectory : undefined)
    ).trim();
  }
  const name = values.name as string;
  if (args.directory === undefined && checkProjectName(name) === undefined) {
    values.directory = projectNames(name).serviceName;
  }
  return {
    directory: args.directory ?? values.directory ?? name,
    name,
    template: values.template as CreateAnswers["template"],
    proto: values.proto ? values.proto : undefined,
    registry: values.registry as CreateAnswers["registry"],
    broker: values.broker as CreateAnswers["broker"],
    transport: values.transport as CreateAnswers["transport"],
  };
}

function isPromptExit(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "ExitPromptError" || error.name === "AbortPromptError")
  );
}

async function insideGitRepository(directory: string): Promise<boolean> {
  try {
    await exec("git", ["rev-parse", "--is-inside-work-tree"], resolve(directory, ".."));
    return true;
  } catch {
    return false;
  }
}

function exec(file: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((done, reject) =>
    execFile(file, args, { cwd }, (error) => (error ? reject(error) : done())),
  );
}

// `yo` users get the same scaffolder as a yeoman generator: this adapter asks through yeoman's
// adapter, writes through its mem-fs (so yeoman's conflict prompts apply) and reuses the core.
// Only this folder imports yeoman (an optional peer), so `npm create micro-service` never loads it.
import { basename } from "node:path";
import Generator from "yeoman-generator";
import {
  type CreateAnswers,
  QUESTIONS,
  checkAnswer,
  checkToolchain,
  findToolchain,
  generateCode,
  planProject,
} from "../scaffold/index.js";

/** `micro:service`: register this file with yeoman-environment under any namespace. */
export default class MicroServiceGenerator extends Generator {
  readonly #toolchain = findToolchain();
  #answers: CreateAnswers | undefined;

  constructor(args: string[], options: ConstructorParameters<typeof Generator>[1]) {
    super(args, options);
    for (const question of QUESTIONS) {
      this.option(question.key, { type: String, description: question.help });
    }
  }

  /** Asks, through yeoman's adapter, only what the options did not answer. */
  async prompting(): Promise<void> {
    const problem = checkToolchain(this.#toolchain);
    if (problem !== undefined) throw new Error(problem);
    const cwd = this.destinationRoot();
    const values: Record<string, string> = {};
    for (const question of QUESTIONS) {
      const option = (this.options as Record<string, unknown>)[question.key] as string | undefined;
      const given = option ?? (question.key === "name" ? basename(cwd) : undefined);
      if (given !== undefined) {
        const invalid = checkAnswer(question, given, cwd);
        if (invalid !== undefined) throw new Error(invalid);
        values[question.key] = given;
        continue;
      }
      const answer = await this.prompt<Record<string, string>>([
        {
          type: question.choices ? "select" : "input",
          name: question.key,
          message: question.message,
          ...(question.choices ? { choices: [...question.choices] } : {}),
          ...(question.default === undefined ? {} : { default: question.default }),
          validate: (value: string) => checkAnswer(question, value.trim(), cwd) ?? true,
        },
      ]);
      values[question.key] = String(answer[question.key]).trim();
    }
    if (values["template"] !== "service") {
      throw new Error(`the ${values["template"]} template comes with the API gateway`);
    }
    this.#answers = {
      directory: cwd,
      name: values["name"] as string,
      template: "service",
      proto: values["proto"] ? values["proto"] : undefined,
      registry: values["registry"] as CreateAnswers["registry"],
      broker: values["broker"] as CreateAnswers["broker"],
      transport: values["transport"] as CreateAnswers["transport"],
    };
  }

  /** The core's plan, written through yeoman's mem-fs. */
  async writing(): Promise<void> {
    const answers = this.#answers as CreateAnswers;
    for (const file of await planProject(answers, this.destinationRoot(), this.#toolchain)) {
      this.fs.write(this.destinationPath(file.path), file.content);
    }
  }

  /** After yeoman committed the files: the generated code, as the CLI makes it. */
  async end(): Promise<void> {
    await generateCode(this.#toolchain, this.destinationRoot());
  }
}

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliArgs, cliEnv, scratch } from "./cli.js";

/** Quotes a word for `sh -c`. */
function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

// A real pseudo-terminal (util-linux `script`): stdin is a TTY, so the CLI prompts for what the
// flags did not say, and inquirer reads real keystrokes.
describe("create-micro-service in a terminal", () => {
  it("asks only what the flags did not answer, validating in the prompt", async () => {
    const cwd = scratch();
    const command = [
      process.execPath,
      ...cliArgs(["--registry", "nats", "--no-install", "--no-git"]),
    ]
      .map(quote)
      .join(" ");
    const env = cliEnv();
    delete env["CI"];
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd, env });
    let screen = "";
    const waitFor = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (screen.includes(text)) {
            child.stdout.off("data", check);
            resolve();
          }
        };
        child.stdout.on("data", check);
        child.once("close", () => reject(new Error(`exited before "${text}":\n${screen}`)));
        check();
      });
    child.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
    const type = (keys: string) => child.stdin.write(keys);

    await waitFor("Project name");
    type("Bad Name\r");
    await waitFor("not a valid npm package name");
    // Clear the rejected answer, then give a good one.
    type("\u0015ledger\r");
    await waitFor("Template");
    type("\r"); // service, the default
    await waitFor("Existing .proto file or folder");
    type("\r"); // the example service
    await waitFor("Broker");
    type("\r"); // local, the default
    await waitFor("Transport");
    type("\u001b[B\r"); // down: grpc
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    expect(code, screen).toBe(0);
    // --registry answered that question, so it was never asked.
    expect(screen).not.toContain("Registry");
    const dockerfile = readFileSync(join(cwd, "ledger", "Dockerfile"), "utf8");
    expect(dockerfile).toContain("ENV MICRO_REGISTRY=nats");
    expect(dockerfile).toContain("ENV MICRO_TRANSPORT=grpc");
    expect(existsSync(join(cwd, "ledger", "gen", "ledger", "v1", "ledger.micro.ts"))).toBe(true);
  });
});

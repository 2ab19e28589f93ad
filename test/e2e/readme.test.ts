import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { root } from "./lib/greeter.js";

const run = promisify(execFile);

/** The commands of the README's first code block, without their comments. */
function quickStart(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "");
}

describe("the README quick start", { timeout: 600_000 }, () => {
  it("starts with the demo command and the test command", () => {
    expect(quickStart()).toEqual(["npm ci && npm run demo", "npm test"]);
    const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
    expect(scripts.test).toMatch(/build.*typecheck.*format:check.*vitest run/);
  });

  it("runs the demo end to end (the part of the first command after npm ci)", async () => {
    // The whole journey: scaffold from the greeter's protos, npm install (from the registry),
    // micro generate, build, start, micro call, stop, clean up.
    const { stdout, stderr } = await run("npm", ["run", "demo"], {
      cwd: root,
      encoding: "utf8",
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const folder = /Created (\S+micro-demo-\S+\/greeter) \(/.exec(stdout)?.[1];
    expect(folder, stdout).toBeDefined();
    expect(stdout).toContain("Installing dependencies with npm");
    expect(stdout).toContain("handlers and subscribers are in sync");
    // The service logs to stderr.
    expect(stderr).toMatch(/ started service=greeter transport=http /);
    // micro call's reply, printed as JSON: the handler body the demo wrote answered.
    expect(stdout).toMatch(
      /micro call greeter Greeter\.Hello[^\n]*\n\{\n {2}"message": "Hello Ada"\n\}/,
    );
    expect(stderr).toContain("stopped service=greeter");
    expect(stdout).toMatch(/demo OK \(\d+\.\d s\)/);
    expect(existsSync(dirname(folder as string))).toBe(false);
  });
});

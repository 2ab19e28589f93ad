import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
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

describe("the README quick start", () => {
  it("starts with the demo command and the test command", () => {
    expect(quickStart()).toEqual(["npm ci && npm run demo", "npm test"]);
    const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
    expect(scripts.test).toMatch(/build.*typecheck.*format:check.*vitest run/);
  });

  it("runs the demo end to end (the part of the first command after npm ci)", async () => {
    const { stdout } = await run("npm", ["run", "demo"], {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(stdout).toContain("Greeter.Hello  -> Hello Ada");
    expect(stdout).toContain("Greeter.Stream -> Hello Ada (3/3)");
    expect(stdout).toContain("Greeter.Upload -> Hello Ada, Grace, Linus");
    expect(stdout).toContain("Greeter.Chat   -> Hello, you said: bye");
    expect(stdout).toContain("demo OK");
  });
});

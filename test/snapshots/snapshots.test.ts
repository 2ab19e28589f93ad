// Regenerates every case with the real buf, ts-proto and compiled protoc-gen-micro into a
// temp dir and fails on any difference from the checked-in gen/ (printing the diff).
// UPDATE_SNAPSHOTS=1 writes the fresh output into gen/ instead.
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ensurePluginBuilt,
  run,
  runOk,
  tempDir,
} from "../../plugins/protoc-gen-micro/test/support/tools.js";
import { symlinkSync } from "node:fs";
import { repoRoot } from "../../plugins/protoc-gen-micro/test/support/tools.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const cases = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(here, e.name, "buf.gen.yaml")))
  .map((e) => e.name);

describe("golden snapshots", () => {
  beforeAll(() => ensurePluginBuilt(), 120_000);

  it("has the cases the plugin promises", () => {
    expect(cases).toEqual(expect.arrayContaining(["greeter", "naming", "wkt", "http", "options"]));
  });

  it.each(cases)("%s regenerates identically", (name) => {
    const dir = join(here, name);
    const work = tempDir(`micro-snapshot-${name}`);
    for (const entry of ["proto", "buf.yaml", "buf.gen.yaml"]) {
      cpSync(join(dir, entry), join(work, entry), { recursive: true });
    }
    symlinkSync(join(repoRoot, "node_modules"), join(work, "node_modules"));
    runOk("buf", ["generate"], { cwd: work });
    if (process.env["UPDATE_SNAPSHOTS"] === "1") {
      rmSync(join(dir, "gen"), { recursive: true, force: true });
      cpSync(join(work, "gen"), join(dir, "gen"), { recursive: true });
    }
    const diff = run("diff", ["-ruN", join(dir, "gen"), join(work, "gen")]);
    rmSync(work, { recursive: true, force: true });
    expect(diff.stdout, `generated output differs from test/snapshots/${name}/gen`).toBe("");
    expect(diff.status).toBe(0);
  });
});

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { bin, root } from "../e2e/lib/greeter.js";

const run = promisify(execFile);

// The checked-in code of the gateway tests' library service is what buf generates now.
describe("test/api/fixture", () => {
  const out = mkdtempSync(join(tmpdir(), "micro-api-fixture-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("matches buf generate of library.proto", async () => {
    await run(
      join(bin, "buf"),
      ["generate", "--template", "test/api/fixture/buf.gen.yaml", "test/api/fixture", "-o", out],
      { cwd: root, env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` } },
    );
    const checkedIn = join(root, "test/api/fixture/gen");
    const fresh = join(out, "test/api/fixture/gen");
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
        .sort();
    expect(files(fresh)).toEqual(files(checkedIn));
    for (const file of files(fresh)) {
      expect(readFileSync(join(fresh, file), "utf8"), file).toBe(
        readFileSync(join(checkedIn, file), "utf8"),
      );
    }
  });
});

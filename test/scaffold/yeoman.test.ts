import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEnv } from "yeoman-environment";
import MicroServiceGenerator from "../../src/yeoman/generator.js";
import { root, scratch } from "./cli.js";

describe("the yeoman adapter", () => {
  it("runs through yeoman-environment and writes the same project as the CLI", async () => {
    const cwd = scratch();
    const env = createEnv({ cwd, skipInstall: true });
    env.register(MicroServiceGenerator, {
      namespace: "micro:service",
      resolved: join(root, "src/yeoman/generator.ts"),
      packagePath: root,
    });
    // The generator's own options; yeoman's option type only knows its built-in ones.
    const options = {
      name: "inventory",
      template: "service",
      proto: "",
      registry: "local",
      broker: "local",
      transport: "http",
      skipInstall: true,
    } as Parameters<typeof env.run>[1];
    await env.run(["micro:service"], options);
    expect(readFileSync(join(cwd, "src/handlers/inventory.ts"), "utf8")).toContain(
      "export class Inventory implements InventoryHandler",
    );
    expect(existsSync(join(cwd, ".gitignore"))).toBe(true);
    expect(existsSync(join(cwd, "gen/inventory/v1/inventory.micro.ts"))).toBe(true);
    expect(existsSync(join(cwd, "node_modules"))).toBe(false);
  });

  it("is never loaded by the npm create path", () => {
    // Only src/yeoman imports yeoman; the scaffolder core and the bin must not.
    for (const dir of ["src/scaffold", "bin"]) {
      for (const file of readdirSync(join(root, dir))) {
        if (!file.endsWith(".ts")) continue;
        expect(readFileSync(join(root, dir, file), "utf8"), file).not.toMatch(/from "yeoman/);
      }
    }
  });
});

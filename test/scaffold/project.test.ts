import { execFile, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cliEnv, runCli, scratch } from "./cli.js";

const exec = promisify(execFile);

// One real project, installed from the npm registry by the CLI itself: its own test, build
// and start must work unchanged right after scaffolding.
describe("a scaffolded project", () => {
  it(
    "installs, passes its tests, builds, starts and answers a call",
    { timeout: 600_000 },
    async () => {
      const cwd = scratch();
      const created = await runCli(["billing", "--no-git"], cwd);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toContain("Installing dependencies with npm");
      const dir = join(cwd, "billing");
      const env = cliEnv({ MICRO_REGISTRY_ADDRESS: join(cwd, "registry") });

      const test = await exec("npm", ["test"], { cwd: dir, env });
      expect(test.stdout).toMatch(/Tests\s+.*5 passed/);

      // generate and check are the micro CLI, linked from this checkout.
      const generated = await exec("npm", ["run", "generate"], { cwd: dir, env });
      expect(generated.stdout).toContain("handlers and subscribers are in sync");
      const checked = await exec("npm", ["run", "check"], { cwd: dir, env });
      expect(checked.stdout).toContain("in sync:");
      // A new rpc: check names the handler, generate adds its stub, check passes again.
      const proto = join(dir, "proto", "billing", "v1", "billing.proto");
      writeFileSync(
        proto,
        readFileSync(proto, "utf8").replace(
          "service Billing {",
          "service Billing {\n  rpc Refund(CallRequest) returns (CallResponse);",
        ),
      );
      const stale = await exec("npm", ["run", "check"], { cwd: dir, env }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/out of sync: .*src\/handlers\/billing\.ts/);
      const added = await exec("npm", ["run", "generate"], { cwd: dir, env });
      expect(added.stdout).toMatch(/\+ .*refund/i);
      await exec("npm", ["run", "check"], { cwd: dir, env });

      await exec("npm", ["run", "build"], { cwd: dir, env });
      // A bad MICRO_* value: one line naming it, exit 1, no stack.
      const misconfigured = await exec("node", ["dist/src/main.js"], {
        cwd: dir,
        env: { ...env, MICRO_TRANSPORT: "carrier-pigeon" },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(misconfigured.code).toBe(1);
      expect(misconfigured.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/ERROR cannot start error=MICRO_TRANSPORT=carrier-pigeon is not/),
      ]);

      const service = spawn("npm", ["start"], { cwd: dir, env, detached: true });
      let log = "";
      try {
        const address = await new Promise<string>((resolve, reject) => {
          service.stderr.on("data", (chunk: Buffer) => {
            log += chunk.toString();
            const match = / started .*address=(\S+)/.exec(log);
            if (match) resolve(match[1] as string);
          });
          service.on("exit", (code) => reject(new Error(`npm start exited ${code}: ${log}`)));
        });
        const response = await fetch(`http://${address}/billing.v1.Billing/Call`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Ada" }),
        });
        expect(await response.json()).toEqual({ message: "Hello Ada" });
      } finally {
        // npm start runs node in its own process group: signal the whole group.
        process.kill(-(service.pid as number), "SIGTERM");
      }
      await new Promise((resolve) => service.on("close", resolve));
      // npm itself dies of the signal; the service drains and stops cleanly.
      expect(log).toContain("stopped service=billing");
    },
  );
});

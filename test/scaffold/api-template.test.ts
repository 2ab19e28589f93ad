import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../e2e/lib/greeter.js";
import { cliEnv, runCli, scratch } from "./cli.js";

const exec = promisify(execFile);

// A real api project, installed from the npm registry by the CLI: its own tests pass, and
// `npm start` serves the services it finds in the registry (a real greeter process).
describe("a scaffolded api project", () => {
  it(
    "installs, passes its tests, and npm start routes to a service in the registry",
    { timeout: 600_000 },
    async () => {
      const cwd = scratch();
      const created = await runCli(["edge", "--template", "api", "--no-git"], cwd);
      expect(created.code, created.stderr).toBe(0);
      const dir = join(cwd, "edge");
      const sandbox = createSandbox();
      const env = cliEnv({
        MICRO_REGISTRY_ADDRESS: sandbox.registryDirectory,
        MICRO_API_ADDRESS: "127.0.0.1:0",
      });
      try {
        const test = await exec("npm", ["test"], { cwd: dir, env });
        expect(test.stdout).toMatch(/Tests\s+.*8 passed/);
        await exec("npm", ["run", "check"], { cwd: dir, env });

        await sandbox.startGreeter();
        const gateway = spawn("npm", ["start"], { cwd: dir, env, detached: true });
        let log = "";
        try {
          const address = await new Promise<string>((resolve, reject) => {
            const collect = (chunk: Buffer) => {
              log += chunk.toString();
              const match = /gateway listening address=(\S+)/.exec(log);
              if (match) resolve(match[1] as string);
            };
            gateway.stdout.on("data", collect);
            gateway.stderr.on("data", collect);
            gateway.on("exit", (code) => reject(new Error(`npm start exited ${code}: ${log}`)));
          });
          const reply = await fetch(`http://${address}/greeter/hello`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "Ada" }),
          });
          expect(await reply.json()).toEqual({ message: "Hello Ada" });
          const byRule = await fetch(`http://${address}/v1/greeter/hello`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "Bob" }),
          });
          expect(await byRule.json()).toEqual({ message: "Hello Bob" });
        } finally {
          process.kill(-(gateway.pid as number), "SIGTERM");
        }
        await new Promise((resolve) => gateway.on("close", resolve));
        expect(log).toContain("edge gateway stopped");
      } finally {
        await sandbox.close();
      }
    },
  );
});

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createLocalRegistry } from "@micro-ts/runtime";
import { describe, expect, it } from "vitest";
import { createSandbox, root } from "../e2e/lib/greeter.js";
import { start } from "../e2e/lib/process.js";
import { launchChromium, pageErrors, screenshot } from "../web/lib/browser.js";
import { startShop } from "../web/lib/shop-backend.js";
import { cliEnv, runCli, scratch } from "./cli.js";

const exec = promisify(execFile);

// A real web project, installed from the npm registry by the CLI: its own tests pass, and
// once started it registers as micro.web.shop-web; in a browser, directly and behind
// `micro web`'s proxy, its page shows what the shop backend answered through the gateway.
describe("a scaffolded web project", () => {
  it(
    "installs, passes its tests, and its page shows data from a backend call",
    { timeout: 600_000 },
    async () => {
      const cwd = scratch();
      const created = await runCli(["shop-web", "--template", "web", "--no-git"], cwd);
      expect(created.code, created.stderr).toBe(0);
      const dir = join(cwd, "shop-web");
      const sandbox = createSandbox();
      const registry = createLocalRegistry({ directory: sandbox.registryDirectory });
      const env = cliEnv({ MICRO_REGISTRY_ADDRESS: sandbox.registryDirectory, NO_COLOR: "1" });
      const browser = await launchChromium();
      const processes: ReturnType<typeof start>[] = [];
      const shop = await startShop(registry);
      try {
        const test = await exec("npm", ["test"], { cwd: dir, env });
        expect(test.stdout).toMatch(/Tests\s+.*4 passed/);
        await exec("npm", ["run", "check"], { cwd: dir, env });
        await exec("npm", ["run", "build"], { cwd: dir, env });

        const app = start(process.execPath, ["dist/src/main.js"], { cwd: dir, env });
        processes.push(app);
        const [, address] = await app.waitFor(/started micro\.web\.shop-web address=(\S+)/);
        const web = start(
          process.execPath,
          [
            "--conditions=source",
            "--import",
            "tsx",
            "bin/micro.ts",
            "web",
            "--address",
            "127.0.0.1:0",
          ],
          { cwd: root, env },
        );
        processes.push(web);
        const [, dashboard] = await web.waitFor(/dashboard at http:\/\/(\S+)\//);

        const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
        const errors = pageErrors(page);
        await page.goto(`http://${address}/`);
        const reply = page.locator("#reply");
        await expect.poll(() => reply.textContent()).toBe("Hello web from shop");
        await page.locator("#name").fill("Ada");
        await page.locator("button").click();
        await expect.poll(() => reply.textContent()).toBe("Hello Ada from shop");
        await screenshot(page, "web-app-direct");

        // Behind the dashboard: listed as a web app, proxied at /shop-web/.
        await page.goto(`http://${dashboard}/`);
        await page.locator('#webapps a[href="/shop-web/"]').click();
        expect(page.url()).toBe(`http://${dashboard}/shop-web/`);
        await expect.poll(() => reply.textContent()).toBe("Hello web from shop");
        await screenshot(page, "web-app-behind-dashboard");

        // The backend gone, the page says what the gateway answered instead of stale data.
        await shop.stop();
        await page.reload();
        await expect.poll(() => reply.getAttribute("data-state")).toBe("error");
        expect(await reply.textContent()).toBe(
          'shop answered 404: no route for POST /shop/Shop/Call: no service "shop" is registered',
        );
        expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);

        expect(await app.stop("SIGTERM")).toBe(0);
        expect(app.output()).toContain("stopped micro.web.shop-web");
        expect(await registry.getService("micro.web.shop-web")).toEqual([]);
      } finally {
        await browser.close();
        await Promise.all(processes.map((p) => p.stop("SIGTERM")));
        await shop.stop();
        await registry.close();
        await sandbox.close();
      }
    },
  );
});

// `npm run demo`: the whole user journey on the embedded defaults, in a temporary folder:
// scaffold a project from the greeter's protos with create-micro-service (which installs it),
// write one handler body, `npm run generate` (micro generate keeps it), build, start the
// service, call it with `micro call`, print the reply, stop it, and remove everything.
// Exits non-zero if any step fails.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const started = performance.now();
const work = mkdtempSync(join(tmpdir(), "micro-demo-"));
const project = join(work, "greeter");
const env = {
  ...process.env,
  CI: "1",
  // The project's own registry folder: the demo finds its greeter and nothing else.
  MICRO_REGISTRY_ADDRESS: join(work, "registry"),
  // npm ci just filled the cache with most of what the project installs.
  npm_config_prefer_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_loglevel: "error",
};

let service: ChildProcess | undefined;
let failed = false;
try {
  const cli = join(root, "dist", "bin", "create-micro.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm ci does)`);
  step("1. create-micro-service greeter --proto examples/greeter/proto (scaffold + npm install)");
  await run(
    process.execPath,
    [cli, "greeter", "--proto", join(root, "examples/greeter/proto"), "--no-git"],
    {
      cwd: work,
    },
  );

  step("2. writing the body of Greeter.Hello in src/handlers/greeter.ts");
  const handler = join(project, "src", "handlers", "greeter.ts");
  const stub =
    /async hello\(_request: HelloRequest\): Promise<HelloResponse> \{\n\s*return HelloResponse\.fromPartial\(\{\}\);/;
  const text = readFileSync(handler, "utf8");
  if (!stub.test(text)) throw new Error(`${handler}: the scaffolded hello() stub is not there`);
  writeFileSync(
    handler,
    text.replace(
      stub,
      "async hello(request: HelloRequest): Promise<HelloResponse> {\n    return HelloResponse.fromPartial({ message: `Hello ${request.name}` });",
    ),
  );

  step("3. npm run generate (micro generate: regenerates gen/, keeps what you wrote)");
  await run("npm", ["run", "--silent", "generate"]);
  if (!readFileSync(handler, "utf8").includes("`Hello ${request.name}`")) {
    throw new Error("micro generate lost the handler body");
  }

  step("4. npm run build, then starting the service (http transport, local registry)");
  await run("npm", ["run", "--silent", "build"]);
  service = spawn(process.execPath, ["dist/src/main.js"], {
    cwd: project,
    env,
    stdio: ["ignore", "inherit", "pipe"],
  });
  await startedLine(service);

  step(`5. micro call greeter Greeter.Hello '{"name":"Ada"}'`);
  const reply = await run(join(project, "node_modules", ".bin", "micro"), [
    "call",
    "greeter",
    "Greeter.Hello",
    '{"name":"Ada"}',
  ]);
  if (!reply.includes('"message": "Hello Ada"')) throw new Error(`unexpected reply: ${reply}`);
} catch (error) {
  failed = true;
  console.error("demo failed:", error instanceof Error ? error.message : error);
} finally {
  if (service !== undefined && service.exitCode === null) {
    step("6. stopping the service (SIGTERM: deregister, drain, close)");
    const exited = once(service, "exit") as Promise<[number | null]>;
    service.kill("SIGTERM");
    const [code] = await exited;
    if (code !== 0) {
      failed = true;
      console.error(`the service exited with ${code}`);
    }
  }
  rmSync(work, { recursive: true, force: true });
  step(`7. removed ${work}`);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(failed ? "demo FAILED" : `demo OK (${seconds} s)`);
process.exitCode = failed ? 1 : 0;

function step(line: string): void {
  console.log(line);
}

/** Runs a command in the project (or `cwd`), echoing its output; resolves to its stdout. */
function run(file: string, args: readonly string[], options: { cwd?: string } = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: options.cwd ?? project, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(" ")} failed:\n${stdout}${stderr}`));
        else resolve(stdout);
      },
    );
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
  });
}

/** Resolves once the service logged that it started (registered and listening). */
function startedLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      process.stderr.write(chunk);
      if (log.includes(" started ")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the service exited with ${code}: ${log}`)));
  });
}

// `npm run demo`: generates the greeter from its proto, starts it on the embedded
// defaults, calls all four methods through the generated client, prints the replies,
// and stops it. Exits non-zero if any step fails.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createClient,
  createHttpTransport,
  createLocalRegistry,
  createSelector,
} from "@micro-ts/runtime";
import { createGreeterClient } from "./gen/greeter/v1/greeter.micro.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(root, "node_modules", ".bin");

console.log(
  "1. generating examples/greeter/gen from examples/greeter/proto (ts-proto + protoc-gen-micro)",
);
execFileSync(
  join(bin, "buf"),
  ["generate", "--template", "examples/greeter/buf.gen.yaml", "examples/greeter/proto"],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` },
  },
);

// Its own registry folder, so the demo finds its greeter and nothing left by other runs.
const registryDirectory = mkdtempSync(join(tmpdir(), "micro-demo-"));
console.log("2. starting the greeter (http transport, local registry, local broker)");
const greeter = spawn(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "examples/greeter/src/main.ts"],
  {
    cwd: root,
    env: { ...process.env, MICRO_REGISTRY_ADDRESS: registryDirectory },
    stdio: ["ignore", "inherit", "pipe"],
  },
);
let greeterLog = "";
const started = new Promise<void>((resolve, reject) => {
  greeter.stderr.on("data", (chunk: Buffer) => {
    greeterLog += chunk.toString();
    process.stderr.write(chunk);
    if (greeterLog.includes(" started ")) resolve();
  });
  greeter.once("exit", (code) =>
    reject(new Error(`the greeter exited with ${code} before starting`)),
  );
});

const registry = createLocalRegistry({ directory: registryDirectory });
const selector = createSelector({ registry });
const client = createClient({ transport: createHttpTransport(), selector });
let failed = false;
try {
  await started;
  const greeterClient = createGreeterClient(client, "greeter");
  console.log("3. calling greeter through the generated client");
  const hello = await greeterClient.hello({ name: "Ada" });
  console.log(`   Greeter.Hello  -> ${hello.message}`);
  for await (const reply of greeterClient.stream({ name: "Ada", count: 3 })) {
    console.log(`   Greeter.Stream -> ${reply.message}`);
  }
  const upload = await greeterClient.upload(names("Ada", "Grace", "Linus"));
  console.log(`   Greeter.Upload -> ${upload.message}`);
  for await (const reply of greeterClient.chat(chat("hi", "bye"))) {
    console.log(`   Greeter.Chat   -> ${reply.text}`);
  }
} catch (error) {
  failed = true;
  console.error("demo failed:", error);
} finally {
  console.log("4. stopping the greeter (SIGTERM: deregister, drain, close)");
  greeter.kill("SIGTERM");
  const [code] = (await once(greeter, "exit")) as [number | null];
  await client.close();
  await selector.close();
  await registry.close();
  rmSync(registryDirectory, { recursive: true, force: true });
  if (code !== 0) {
    failed = true;
    console.error(`the greeter exited with ${code}`);
  }
}
console.log(failed ? "demo FAILED" : "demo OK");
process.exitCode = failed ? 1 : 0;

async function* names(...values: string[]) {
  for (const name of values) yield { name };
}

async function* chat(...texts: string[]) {
  for (const text of texts) yield { text };
}

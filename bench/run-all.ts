// `npm run bench`: every benchmark in turn, each in its own process so one cannot warm up
// or slow down another. Each prints its figures beside a baseline from the same run.
// BENCH_ONLY=rpc,codegen runs a subset. The packages are measured as users run them: the
// build in dist/ (`npm run bench` builds it first), not the TypeScript sources through tsx,
// whose keepNames wrapper costs a call per closure created.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benches = ["codegen", "rpc", "scaffold", "generate", "nats", "registry", "gateway"];
const only = process.env["BENCH_ONLY"]?.split(",").map((name) => name.trim());
let failed = 0;
for (const name of benches) {
  if (only && !only.includes(name)) continue;
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(script)) continue;
  console.log(`\n=== bench/${name}.ts`);
  const result = spawnSync(process.execPath, ["--import", "tsx", script], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed++;
    console.error(`bench/${name}.ts failed with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;

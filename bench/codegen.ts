// Codegen cost of protoc-gen-micro: `buf generate` of a synthetic tree with ts-proto alone
// (baseline) vs. ts-proto + protoc-gen-micro (the compiled dist, as users run it), in the
// same run, alternating, median of a few repetitions. Target: ratio <= 1.15 (wall time).
// buf runs the plugins in parallel, so wall time hides the plugin's cost on an idle machine
// and exaggerates it on a busy one; CPU time (buf and its plugins, user + sys) is reported
// beside it as the steadier figure.
//
//   npx tsx bench/codegen.ts [--files 200] [--services 1000] [--methods 10000] [--reps 3]
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  ensurePluginBuilt,
  makeBufWorkspace,
  runOk,
  tempDir,
} from "../plugins/protoc-gen-micro/test/support/tools.js";
import { report } from "./lib/report.js";
import { writeSyntheticTree } from "./lib/synthetic-protos.js";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "200" },
    services: { type: "string", default: "1000" },
    methods: { type: "string", default: "10000" },
    reps: { type: "string", default: "3" },
  },
});
const size = {
  files: Number(values.files),
  services: Number(values.services),
  methods: Number(values.methods),
};
const reps = Number(values.reps);

const tsProto = [
  "  - local: protoc-gen-ts_proto",
  "    out: gen",
  "    strategy: all",
  "    opt: [outputServices=generic-definitions, importSuffix=.js, esModuleInterop=true]",
];
const micro = [
  "  - local: protoc-gen-micro",
  "    out: gen",
  "    strategy: all",
  "    opt: [importSuffix=.js]",
];

function template(plugins: readonly string[]): string {
  return ["version: v2", "plugins:", ...plugins, "inputs:", "  - directory: proto", ""].join("\n");
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall and CPU milliseconds of one `buf generate` (CPU: bash's `times` for its children). */
function timeGenerate(dir: string, templateFile: string): { wall: number; cpu: number } {
  rmSync(join(dir, "gen"), { recursive: true, force: true });
  const start = performance.now();
  const result = runOk("bash", ["-c", `buf generate --template ${templateFile} && times`], {
    cwd: dir,
  });
  const wall = performance.now() - start;
  const children = result.stdout.trim().split("\n").at(-1) ?? "";
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)]
    .map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000)
    .reduce((a, b) => a + b, 0);
  return { wall, cpu };
}

ensurePluginBuilt();
const dir = tempDir("micro-bench-codegen");
makeBufWorkspace(dir);
const tree = writeSyntheticTree(join(dir, "proto"), size);
writeFileSync(join(dir, "baseline.gen.yaml"), template(tsProto));
writeFileSync(join(dir, "micro.gen.yaml"), template([...tsProto, ...micro]));
writeFileSync(join(dir, "micro-only.gen.yaml"), template(micro));

console.log(
  `synthetic tree: ${tree.files.length} files, ${tree.services} services, ${tree.methods} methods; ${reps} repetitions`,
);
// One warm-up of each, so file-system caches and buf's own cache do not favour either side.
timeGenerate(dir, "baseline.gen.yaml");
timeGenerate(dir, "micro.gen.yaml");
const baseline: { wall: number; cpu: number }[] = [];
const withMicro: { wall: number; cpu: number }[] = [];
const microOnly: { wall: number; cpu: number }[] = [];
for (let i = 0; i < reps; i++) {
  baseline.push(timeGenerate(dir, "baseline.gen.yaml"));
  withMicro.push(timeGenerate(dir, "micro.gen.yaml"));
  microOnly.push(timeGenerate(dir, "micro-only.gen.yaml"));
}
rmSync(dir, { recursive: true, force: true });

const show = (label: string, runs: readonly { wall: number; cpu: number }[]): void => {
  const cells = runs.map((r) => `${r.wall.toFixed(0)} (cpu ${r.cpu.toFixed(0)})`);
  console.log(`${label.padEnd(28)} ${cells.join(", ")}`);
};
show("ts-proto alone (ms):", baseline);
show("ts-proto + micro (ms):", withMicro);
show("protoc-gen-micro alone (ms):", microOnly);
report("buf generate: ts-proto + protoc-gen-micro vs ts-proto alone (median)", [
  {
    bench: "codegen",
    value: median(withMicro.map((r) => r.wall)),
    baseline: median(baseline.map((r) => r.wall)),
    unit: "ms",
    target: { ratio: 1.15, better: "lower" },
  },
  {
    bench: "codegen_cpu",
    value: median(withMicro.map((r) => r.cpu)),
    baseline: median(baseline.map((r) => r.cpu)),
    unit: "ms",
    target: { ratio: 1.15, better: "lower" },
  },
]);

// Cost of `micro generate` on a project with 20 services (5 rpcs and a topic each): plain
// `buf generate` of the same project is the baseline, in the same run. Figures: a first run
// (creates 20 handlers, 20 subscribers and their registrations) and a no-op rerun, median
// of a few repetitions. Target: under 5 s per run. `micro` runs as users run it: the
// compiled dist/bin/micro.js when built, else the TypeScript sources through tsx.
//
//   npx tsx bench/generate.ts [--services 20] [--reps 3]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { report } from "./lib/report.js";
import { median } from "./lib/median.js";

const { values } = parseArgs({
  options: { services: { type: "string", default: "20" }, reps: { type: "string", default: "3" } },
});
const services = Number(values.services);
const reps = Number(values.reps);
const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = join(root, "test", "generate", "fixtures", "notes");
const dist = join(root, "dist", "bin", "micro.js");
const microArgs = existsSync(dist)
  ? [dist]
  : ["--conditions=source", "--import", "tsx", join(root, "bin", "micro.ts")];

/** A project with `count` services, each in its own proto file, and a bare main.ts. */
function makeProject(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "micro-bench-generate-"));
  for (const file of ["package.json", "buf.yaml", "buf.gen.yaml", "tsconfig.json"]) {
    execFileSync("cp", [join(fixture, file), join(dir, file)]);
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  for (let i = 0; i < count; i++) {
    const folder = join(dir, "proto", `s${i}`, "v1");
    mkdirSync(folder, { recursive: true });
    const rpcs = ["Get", "List", "Put", "Sync", "Watch"].map(
      (name, j) => `  rpc ${name}(Req) returns (${j === 1 || j === 4 ? "stream " : ""}Res);`,
    );
    writeFileSync(
      join(folder, `s${i}.proto`),
      [
        'syntax = "proto3";',
        `package s${i}.v1;`,
        'import "micro/options.proto";',
        `service Service${i} {`,
        ...rpcs,
        "}",
        "message Req { string id = 1; int32 n = 2; }",
        "message Res { string id = 1; repeated string items = 2; }",
        `message Changed${i} {`,
        `  option (micro.topic) = {name: "s${i}.changed"};`,
        "  string id = 1;",
        "}",
        "",
      ].join("\n"),
    );
  }
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(
    join(dir, "src", "main.ts"),
    [
      'import { createService } from "@micro-ts/runtime";',
      "",
      'const service = createService({ name: "bench" });',
      "",
      "await service.run();",
      "",
    ].join("\n"),
  );
  return dir;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const buf = join(root, "node_modules", ".bin", "buf");
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env["PATH"] ?? ""}`,
};
const baseline: number[] = [];
const first: number[] = [];
const rerun: number[] = [];
for (let rep = 0; rep < reps; rep++) {
  const dir = makeProject(services);
  try {
    const out = mkdtempSync(join(tmpdir(), "micro-bench-buf-"));
    baseline.push(time(() => execFileSync(buf, ["generate", "--output", out], { cwd: dir, env })));
    rmSync(out, { recursive: true, force: true });
    first.push(
      time(() => execFileSync(process.execPath, [...microArgs, "generate"], { cwd: dir, env })),
    );
    rerun.push(
      time(() => execFileSync(process.execPath, [...microArgs, "generate"], { cwd: dir, env })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The 5 s budget as a ratio to this run's baseline.
const target = {
  ratio: Math.round((5000 / median(baseline)) * 100) / 100,
  better: "lower",
} as const;
report(`micro generate, ${services} services (${reps} reps, median ms; baseline: buf generate)`, [
  { bench: "generate.first", value: median(first), baseline: median(baseline), unit: "ms", target },
  { bench: "generate.rerun", value: median(rerun), baseline: median(baseline), unit: "ms", target },
]);
console.log(
  `target: under 5000 ms per run: first ${median(first) < 5000 ? "meets" : "MISSES"}, rerun ${median(rerun) < 5000 ? "meets" : "MISSES"}`,
);

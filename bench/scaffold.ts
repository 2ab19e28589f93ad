// Cost of the scaffolder, each figure beside a baseline from the same run:
// - scaffold time: the built CLI (`node dist/bin/create-micro.js <dir> --no-install --no-git`,
//   code generation included) vs `cp -r templates/service` (copying the raw templates), and the
//   plan alone (`--dry-run`). Median of --reps runs. Target: under 1 s.
// - install footprint: `npm pack` of the root package (and of @micro-ts/runtime, its one
//   unpublished dependency) installed from the tarballs into a temp prefix with --omit=dev
//   (what `npm create micro-service` downloads), in MB and packages, against the 15 MB budget.
//
//   npx tsx bench/scaffold.ts [--reps 5]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { report } from "./lib/report.js";
import { median } from "./lib/median.js";

const { values } = parseArgs({ options: { reps: { type: "string", default: "5" } } });
const reps = Number(values.reps);
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "node_modules", ".bin");
const work = mkdtempSync(join(tmpdir(), "bench-scaffold-"));

// The CLI as users run it: compiled.
execFileSync(join(bin, "tsc"), ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });

function timed(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const cli = join(root, "dist", "bin", "create-micro.js");
const scaffold: number[] = [];
const dryRun: number[] = [];
const copy: number[] = [];
for (let rep = 0; rep < reps; rep++) {
  const dir = join(work, `run-${rep}`);
  const env = { ...process.env, CI: "1" };
  copy.push(
    timed(() => execFileSync("cp", ["-r", join(root, "templates", "service"), `${dir}-copy`])),
  );
  dryRun.push(
    timed(() => execFileSync(process.execPath, [cli, `${dir}-dry`, "--dry-run"], { env })),
  );
  scaffold.push(
    timed(() =>
      execFileSync(process.execPath, [cli, dir, "--no-install", "--no-git"], { env, cwd: work }),
    ),
  );
}

// Footprint: the packed root package and the runtime it depends on (not published yet, so
// its tarball stands in for the registry's), installed without dev dependencies.
const packDir = join(work, "pack");
const prefix = join(work, "prefix");
execFileSync("mkdir", ["-p", packDir, prefix]);
const pack = (args: readonly string[]) =>
  execFileSync(
    "npm",
    ["pack", ...args, "--ignore-scripts", "--silent", "--pack-destination", packDir],
    {
      cwd: root,
      encoding: "utf8",
    },
  )
    .trim()
    .split("\n")
    .pop() as string;
const tarballs = [pack([]), pack(["--workspace", "packages/runtime"])];
execFileSync(
  "npm",
  [
    "install",
    "--prefix",
    prefix,
    "--omit=dev",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    ...tarballs.map((tarball) => join(packDir, tarball)),
  ],
  { stdio: "ignore" },
);
const modules = join(prefix, "node_modules");
const packages = countPackages(modules);
const megabytes = sizeOf(modules) / 1e6;
rmSync(work, { recursive: true, force: true });

report("scaffold: create-micro-service vs copying the templates", [
  {
    bench: "scaffold --no-install (ms, median)",
    value: median(scaffold),
    baseline: median(copy),
    unit: "ms",
  },
  {
    bench: "scaffold --dry-run (ms, median)",
    value: median(dryRun),
    baseline: median(copy),
    unit: "ms",
  },
  {
    bench: "scaffold --no-install vs 1 s target",
    value: median(scaffold),
    baseline: 1000,
    unit: "ms",
    target: { ratio: 1, better: "lower" },
  },
  {
    bench: `install footprint (${packages} packages) vs 15 MB budget`,
    value: megabytes,
    baseline: 15,
    unit: "MB",
    target: { ratio: 1, better: "lower" },
  },
]);

function countPackages(dir: string): number {
  let count = 0;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    if (name.startsWith("@")) {
      count += countPackages(path);
      continue;
    }
    count += 1;
    const nested = join(path, "node_modules");
    if (statSafe(nested)) count += countPackages(nested);
  }
  return count;
}

function statSafe(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function sizeOf(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined || stats.isSymbolicLink()) return 0;
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

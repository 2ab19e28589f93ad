#!/usr/bin/env node
// `npm create micro-service` / `npx create-micro-service`: a thin shell over src/scaffold.
// Ctrl-C aborts the run, which removes whatever it had written, and exits 130.
import { runCreate } from "../src/scaffold/index.js";

const controller = new AbortController();
const interrupt = () => controller.abort();
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);
process.exitCode = await runCreate(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.off("SIGINT", interrupt);
process.off("SIGTERM", interrupt);

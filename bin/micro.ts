#!/usr/bin/env node
// `micro`: a thin shell over src/cli, which gets the process's streams and env passed in.
import { runMicro } from "../src/cli/micro.js";

process.exitCode = await runMicro(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

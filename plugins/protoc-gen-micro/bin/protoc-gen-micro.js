#!/usr/bin/env node
// The protoc/buf entry point: protoplugin's runNodeJs owns stdin, stdout and the exit code.
// The hook keeps protoplugin from loading the TypeScript compiler it only needs for js/dts
// targets, which this plugin does not emit (see src/skip-typescript-hooks.ts).
import { register } from "node:module";

register("../dist/skip-typescript-hooks.js", import.meta.url);
const { runNodeJs } = await import("@bufbuild/protoplugin");
const { protocGenMicro } = await import("../dist/protoc-gen-micro-plugin.js");
runNodeJs(protocGenMicro);

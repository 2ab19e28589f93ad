#!/usr/bin/env node
// The protoc/buf entry point: protoplugin's runNodeJs owns stdin, stdout and the exit code.
import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenMicro } from "../dist/protoc-gen-micro-plugin.js";

runNodeJs(protocGenMicro);

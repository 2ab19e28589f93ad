import { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Toolchain } from "./toolchain.js";

/** protoc-gen-micro's module: its plugin and the naming rules of what it generates. */
export type MicroPlugin = typeof import("protoc-gen-micro");

/**
 * Loads protoc-gen-micro from the checkout (it is not a dependency of this package: its
 * protoplugin pins a TypeScript compiler). Its bin's resolve hook is registered first, so
 * protoplugin does not load the compiler it needs only for js/dts targets (about a second
 * of CPU). Registering again is harmless: the first hook in the chain answers.
 */
export async function loadMicroPlugin(toolchain: Toolchain): Promise<MicroPlugin> {
  const dist = join(toolchain.pluginDir, "dist");
  register(pathToFileURL(join(dist, "skip-typescript-hooks.js")).href);
  return (await import(pathToFileURL(join(dist, "index.js")).href)) as MicroPlugin;
}

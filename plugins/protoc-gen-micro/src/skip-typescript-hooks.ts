import type { ResolveHook } from "node:module";

// protoplugin imports the TypeScript compiler (and @typescript/vfs) eagerly, only to
// transpile the js and dts targets. protoc-gen-micro emits ts only (it rejects other targets
// before any transpiling), so its bin registers this resolve hook: protoplugin's imports of
// those two modules get a stub, which saves loading the compiler (about a second of CPU) on
// every run. Nothing else is affected.

const stubbed = new Set(["typescript", "@typescript/vfs"]);

/** Resolves protoplugin's `typescript` and `@typescript/vfs` imports to the stub. */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (stubbed.has(specifier) && context.parentURL?.includes("/@bufbuild/protoplugin/") === true) {
    return { url: new URL("./typescript-stub.js", import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
};

// Stands in for `typescript` and `@typescript/vfs` in protoplugin (see skip-typescript-hooks):
// every use throws, so a path that would need the compiler fails loudly instead of silently.

function unavailable(): never {
  throw new Error(
    "protoc-gen-micro generates TypeScript only (target=ts); the TypeScript compiler is not loaded",
  );
}

/** The `typescript` default export: any property access throws. */
const compiler: object = new Proxy({}, { get: unavailable });
export default compiler;

/** `@typescript/vfs` exports protoplugin imports. */
export const createDefaultMapFromNodeModules = unavailable;
export const createSystem = unavailable;
export const createVirtualCompilerHost = unavailable;

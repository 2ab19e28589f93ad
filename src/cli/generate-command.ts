import { resolve } from "node:path";
import { generateProject } from "../generate/generate.js";
import { type ParsedArgs, stringFlag } from "./args.js";
import { type CliIo, err, out, paint } from "./io.js";

/**
 * `micro generate`: regenerates the out folders from the protos and adds what new rpcs,
 * services and topics need to the user's code. Prints one line per change.
 */
export async function generateCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const result = await generateProject({ dir: resolve(io.cwd, stringFlag(args, "dir") ?? ".") });
  const counts = { added: 0, changed: 0, removed: 0 };
  for (const change of result.generated) counts[change.kind]++;
  out(
    io,
    `generated: ${counts.changed} changed, ${counts.added} added, ${counts.removed} removed` +
      ` in ${result.layout.outDirs.join(", ")}`,
  );
  for (const action of result.sync.actions)
    out(io, `${paint(io, io.stdout, "green", "+")} ${action}`);
  for (const warning of result.sync.warnings) {
    err(io, `${paint(io, io.stderr, "yellow", "warning:")} ${warning}`);
  }
  if (result.sync.actions.length === 0) out(io, "handlers and subscribers are in sync");
  return 0;
}

/**
 * `micro check`: exit 1 naming each file when generated code is stale against the protos
 * or user code lacks what the contracts need (what `micro generate` would change); 0 when
 * in sync. Writes nothing.
 */
export async function checkCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const result = await generateProject({
    dir: resolve(io.cwd, stringFlag(args, "dir") ?? "."),
    write: false,
  });
  const problems = [
    ...result.generated.map(
      (change) =>
        `${change.path}: ${
          change.kind === "changed"
            ? "stale (differs from what the protos generate)"
            : change.kind === "added"
              ? "missing (the protos generate it)"
              : "stale (the protos no longer generate it)"
        }`,
    ),
    ...result.sync.missing,
  ];
  for (const warning of result.sync.warnings) {
    err(io, `${paint(io, io.stderr, "yellow", "warning:")} ${warning}`);
  }
  if (problems.length === 0) {
    out(
      io,
      `${paint(io, io.stdout, "green", "in sync:")} generated code and handlers match the protos`,
    );
    return 0;
  }
  for (const problem of problems)
    err(io, `${paint(io, io.stderr, "red", "out of sync:")} ${problem}`);
  err(
    io,
    `${problems.length} problem${problems.length === 1 ? "" : "s"}; run micro generate to fix them`,
  );
  return 1;
}

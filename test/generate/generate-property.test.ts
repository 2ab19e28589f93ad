import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { generateProject } from "../../src/generate/generate.js";
import { type FixtureProject, copyFixture, lostLines, typecheck } from "./lib/fixture-project.js";

const PROTO = "proto/notes/v1/notes.proto";
const MESSAGES = ["AddRequest", "AddResponse", "ListRequest", "Note"] as const;

/** One random change to the proto. */
type Edit =
  | { kind: "rpc"; name: string; input: string; output: string; streams: [boolean, boolean] }
  | { kind: "service"; name: string; rpc: string }
  | { kind: "topic"; name: string };

const names = fc.uniqueArray(
  fc
    .tuple(
      fc.constantFrom("Get", "Put", "Find", "Watch", "Sync", "Drop", "Count", "Mark"),
      fc.constantFrom("One", "All", "Fast", "Later", "Twice"),
    )
    .map(([a, b]) => a + b),
  { minLength: 1, maxLength: 4 },
);

const edits = names.chain((picked) =>
  fc.tuple(
    ...picked.map((name) =>
      fc.oneof(
        fc.record({
          kind: fc.constant("rpc" as const),
          name: fc.constant(name),
          input: fc.constantFrom(...MESSAGES),
          output: fc.constantFrom(...MESSAGES),
          streams: fc.tuple(fc.boolean(), fc.boolean()),
        }),
        fc.record({
          kind: fc.constant("service" as const),
          name: fc.constant(`${name}Svc`),
          rpc: fc.constant(name),
        }),
        fc.record({ kind: fc.constant("topic" as const), name: fc.constant(`${name}Event`) }),
      ),
    ),
  ),
);

function applyEdits(proto: string, list: readonly Edit[]): string {
  let rpcs = "";
  let tail = "";
  for (const edit of list) {
    if (edit.kind === "rpc") {
      const [a, b] = edit.streams;
      rpcs += `  rpc ${edit.name}(${a ? "stream " : ""}${edit.input}) returns (${b ? "stream " : ""}${edit.output});\n`;
    } else if (edit.kind === "service") {
      tail += `\nservice ${edit.name} {\n  rpc ${edit.rpc}(AddRequest) returns (stream Note);\n}\n`;
    } else {
      tail += `\nmessage ${edit.name} {\n  option (micro.topic) = {name: "notes.${edit.name.toLowerCase()}"};\n  string text = 1;\n}\n`;
    }
  }
  return (
    proto.replace("  rpc List(ListRequest) returns (stream Note);\n", (line) => line + rpcs) + tail
  );
}

let project: FixtureProject | undefined;
afterEach(() => project?.remove());

describe("micro generate over random proto edits", () => {
  it("keeps every user line, type-checks, passes check, and is idempotent", async () => {
    await fc.assert(
      fc.asyncProperty(edits, async (list) => {
        project?.remove();
        const p = (project = copyFixture("notes"));
        await generateProject({ dir: p.dir });
        const user = p.snapshot();
        p.write(PROTO, applyEdits(p.read(PROTO), list));

        const result = await generateProject({ dir: p.dir });
        expect(result.sync.warnings).toEqual([]);
        for (const [file, text] of user) {
          if (file.startsWith("src/")) expect(lostLines(text, p.read(file)), file).toEqual([]);
        }
        const checked = await typecheck(p.dir);
        expect(checked.code, `${JSON.stringify(list)}\n${checked.stdout}`).toBe(0);

        const check = await generateProject({ dir: p.dir, write: false });
        expect(check.generated).toEqual([]);
        expect(check.sync.missing).toEqual([]);
        const before = p.snapshot();
        await generateProject({ dir: p.dir });
        expect(p.snapshot()).toEqual(before);
      }),
      { numRuns: 4, seed: 20261123, endOnFailure: true },
    );
  }, 240_000);
});

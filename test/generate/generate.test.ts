import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateProject } from "../../src/generate/generate.js";
import { loadTsMorph } from "../../src/generate/ts-morph-loader.js";
import {
  type FixtureProject,
  copyFixture,
  lostLines,
  micro,
  run,
  root,
  typecheck,
} from "./lib/fixture-project.js";

const PROTO = "proto/notes/v1/notes.proto";
const USER_FILES = ["src/main.ts", "src/handlers/notes.ts", "src/subscribers/note-added.ts"];

let project: FixtureProject | undefined;
afterEach(() => project?.remove());

/** A fixture project generated once, so it starts in sync. */
async function generatedProject(): Promise<FixtureProject> {
  project = copyFixture("notes");
  const first = await micro(["generate"], { cwd: project.dir });
  expect(first.code, first.stderr).toBe(0);
  return project;
}

function editProto(p: FixtureProject, from: string, to: string): void {
  const text = p.read(PROTO);
  expect(text).toContain(from);
  p.write(PROTO, text.replace(from, to));
}

async function expectInSync(p: FixtureProject): Promise<void> {
  const checked = await typecheck(p.dir);
  expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  const check = await micro(["check"], { cwd: p.dir });
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toContain("in sync");
  const before = p.snapshot();
  const again = await generateProject({ dir: p.dir });
  expect(again.generated).toEqual([]);
  expect(again.sync.changes).toEqual([]);
  expect(p.snapshot()).toEqual(before);
}

// Each case runs buf, the CLI and tsc several times: slow on a busy machine.
describe("micro generate", { timeout: 180_000 }, () => {
  it("generates a fresh project that type-checks, and a second run changes nothing", async () => {
    project = copyFixture("notes");
    const stale = await micro(["check"], { cwd: project.dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("gen/notes/v1/notes.micro.ts: missing");
    const user = new Map(USER_FILES.map((f) => [f, project!.read(f)]));
    const result = await micro(["generate"], { cwd: project.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("handlers and subscribers are in sync");
    for (const [file, text] of user) expect(project.read(file)).toBe(text);
    await expectInSync(project);
  });

  it("adds rpcs, a service and a topic without touching user lines", async () => {
    const p = await generatedProject();
    // The user edits a handler body first.
    const handler = p
      .read("src/handlers/notes.ts")
      .replace("return { id };", "return { id }; // USER: edited");
    p.write("src/handlers/notes.ts", handler);
    editProto(
      p,
      "  rpc List(ListRequest) returns (stream Note);\n}",
      [
        "  rpc List(ListRequest) returns (stream Note);",
        "  rpc Upload(stream Note) returns (AddResponse);",
        "  rpc Chat(stream Note) returns (stream Note);",
        "  rpc Delete(AddResponse) returns (AddResponse);",
        "}",
        "",
        "service Tags {",
        "  rpc Tag(AddRequest) returns (AddResponse);",
        "}",
        "",
        "message NoteRemoved {",
        '  option (micro.topic) = {name: "notes.removed"};',
        "  int32 id = 1;",
        "}",
      ].join("\n"),
    );
    const before = new Map(USER_FILES.map((f) => [f, p.read(f)]));
    const result = await micro(["generate"], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "src/handlers/notes.ts: Notes gets upload (rpc notes.v1.Notes.Upload)",
    );
    expect(result.stdout).toContain("Notes gets delete_ (rpc notes.v1.Notes.Delete)");
    expect(result.stdout).toContain("src/handlers/tags.ts: new Tags implements TagsHandler");
    expect(result.stdout).toContain("src/subscribers/note-removed.ts: new OnNoteRemoved");
    for (const [file, text] of before) expect(lostLines(text, p.read(file)), file).toEqual([]);

    const notes = p.read("src/handlers/notes.ts");
    expect(notes).toContain(
      "async upload(_requests: AsyncIterable<Note>, _context: HandlerContext): Promise<AddResponse> {",
    );
    expect(notes).toContain("async *chat(");
    expect(notes).toContain(
      'throw notImplemented("notes.v1.Notes", "Notes.Delete is not implemented yet");',
    );
    expect(notes).toContain("// TODO: implement Notes.Upload.");
    const main = p.read("src/main.ts");
    expect(main).toContain("registerTagsHandler(service.server, new Tags());");
    expect(main).toContain("registerNoteRemovedSubscriber(service.server, new OnNoteRemoved());");
    // Files it created follow the project's prettier settings.
    const pretty = await run(
      join(root, "node_modules", ".bin", "prettier"),
      ["--check", "src/handlers/tags.ts", "src/subscribers/note-removed.ts", "src/main.ts"],
      { cwd: p.dir },
    );
    expect(pretty.code, pretty.stdout + pretty.stderr).toBe(0);
    await expectInSync(p);
  });

  it("adds the renamed rpc and reports the old method, which stays", async () => {
    const p = await generatedProject();
    editProto(p, "rpc List(ListRequest)", "rpc ListAll(ListRequest)");
    const result = await micro(["generate"], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Notes gets listAll (rpc notes.v1.Notes.ListAll)");
    expect(result.stderr).toMatch(
      /warning: src\/handlers\/notes\.ts: Notes\.list serves rpc notes\.v1\.Notes\.List, which was removed or renamed/,
    );
    expect(p.read("src/handlers/notes.ts")).toContain(
      "async *list(request: ListRequest, context: HandlerContext)",
    );
    await expectInSync(p);
  });

  it("reports a removed service whose handler is still there, and deletes nothing", async () => {
    const p = await generatedProject();
    editProto(
      p,
      "service Notes {",
      "service Other {\n  rpc Ping(AddRequest) returns (AddResponse);\n}\n\nservice Unused {",
    );
    editProto(p, "service Unused {", "service NotesRenamed {");
    const result = await micro(["generate"], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "src/handlers/notes.ts: Notes implements NotesHandler, which is no longer generated (service notes.v1.Notes was removed or renamed)",
    );
    expect(p.read("src/handlers/notes.ts")).toContain("export class Notes implements NotesHandler");
    expect(p.read("src/handlers/notes-renamed.ts")).toContain(
      "export class NotesRenamed implements NotesRenamedHandler",
    );
    // The compiler now flags the stale handler, as the warning said.
    expect((await typecheck(p.dir)).stdout).toContain("NotesHandler");
  });

  it("check fails on stale generated code and on a handler lacking a method", async () => {
    const p = await generatedProject();
    editProto(
      p,
      "  rpc List(ListRequest) returns (stream Note);\n",
      "  rpc List(ListRequest) returns (stream Note);\n  rpc Size(ListRequest) returns (AddResponse);\n",
    );
    const stale = await micro(["check"], { cwd: p.dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("gen/notes/v1/notes.micro.ts: stale");
    expect(stale.stderr).toContain(
      "src/handlers/notes.ts: Notes lacks size (rpc notes.v1.Notes.Size)",
    );
    expect((await micro(["generate"], { cwd: p.dir })).code).toBe(0);
    await expectInSync(p);

    // The user deletes a method the contract needs.
    const handler = p.read("src/handlers/notes.ts");
    p.write(
      "src/handlers/notes.ts",
      handler.replace(/\n  \/\/ TODO: implement Notes\.Size\.\n[^]*?\n  }\n/, "\n"),
    );
    const missing = await micro(["check"], { cwd: p.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("src/handlers/notes.ts: Notes lacks size");
    expect(missing.stderr).not.toContain("gen/");
  });

  it("leaves the project as it was when buf fails, with buf's message", async () => {
    const p = await generatedProject();
    editProto(p, "message AddRequest {", "message AddRequest {\n  nonsense here;");
    const before = p.snapshot();
    const result = await micro(["generate"], { cwd: p.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("buf generate failed");
    expect(result.stderr).toContain("notes.proto");
    expect(p.snapshot()).toEqual(before);
  });

  it("says what to do outside a project and without ts-morph", async () => {
    const outside = await micro(["generate", "--dir", root + "/test"]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain(
      "buf.yaml does not exist: run this in a project made by create-micro-service",
    );
    expect(() => loadTsMorph("/")).toThrow(
      /needs ts-morph in the project \(\/\).*npm install -D ts-morph/,
    );
  });
});

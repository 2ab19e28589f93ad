import { PathTemplateError, parsePathTemplate } from "@micro-ts/runtime/api";
import { describe, expect, it } from "vitest";

describe("parsePathTemplate", () => {
  it("matches literals exactly, with no regular-expression meaning", () => {
    const template = parsePathTemplate("/v1.0/a+b");
    expect(template.match("/v1.0/a+b")).toEqual({});
    expect(template.match("/v1x0/a+b")).toBeUndefined();
    expect(template.match("/v1.0/aab")).toBeUndefined();
    expect(template.match("/v1.0/a+b/")).toBeUndefined();
  });

  it("binds {var} to one segment, percent-decoded", () => {
    const template = parsePathTemplate("/v1/shelves/{shelf}/books/{book}");
    expect(template.variables).toEqual(["shelf", "book"]);
    expect(template.match("/v1/shelves/s%201/books/b%2F2")).toEqual({ shelf: "s 1", book: "b/2" });
    expect(template.match("/v1/shelves//books/b")).toBeUndefined();
    expect(template.match("/v1/shelves/s/books")).toBeUndefined();
  });

  it("binds {name=users/*} to several segments including the literals", () => {
    const template = parsePathTemplate("/v1/{name=users/*/posts/*}");
    expect(template.match("/v1/users/ada/posts/7")).toEqual({ name: "users/ada/posts/7" });
    expect(template.match("/v1/groups/ada/posts/7")).toBeUndefined();
    expect(template.literals).toBe(3);
  });

  it("binds nested field paths", () => {
    expect(parsePathTemplate("/v1/{book.name=shelves/*}").match("/v1/shelves/x")).toEqual({
      "book.name": "shelves/x",
    });
  });

  it("matches ** over zero or more trailing segments", () => {
    const template = parsePathTemplate("/files/{path=**}");
    expect(template.deep).toBe(true);
    expect(template.match("/files/a/b/c")).toEqual({ path: "a/b/c" });
    expect(template.match("/files/a")).toEqual({ path: "a" });
    expect(template.match("/files")).toEqual({ path: "" });
    expect(template.match("/other/a")).toBeUndefined();
    expect(parsePathTemplate("/v1/{name=projects/*/**}").match("/v1/projects/p/x/y")).toEqual({
      name: "projects/p/x/y",
    });
    expect(parsePathTemplate("/static/**").match("/static/a/b")).toEqual({});
  });

  it("matches a :verb suffix, also after a variable", () => {
    const template = parsePathTemplate("/v1/{name=messages/*}:cancel");
    expect(template.match("/v1/messages/42:cancel")).toEqual({ name: "messages/42" });
    expect(template.match("/v1/messages/42")).toBeUndefined();
    expect(template.match("/v1/messages/42:undo")).toBeUndefined();
    expect(parsePathTemplate("/v1/jobs:run").match("/v1/jobs:run")).toEqual({});
  });

  it("rejects a malformed percent escape rather than guessing", () => {
    expect(parsePathTemplate("/v1/{id}").match("/v1/%E0%A4%A")).toBeUndefined();
  });

  it.each([
    ["v1/x", "must start with /"],
    ["/v1/{name", "unbalanced braces"],
    ["/v1/{a={b}}", "unbalanced braces"],
    ["/v1/**/x", "** must be the last segment"],
    ["/v1/{1x}", "bad variable name"],
    ["/v1/{a}/{a}", "appears twice"],
    ["/v1//x", "bad segment"],
    ["/v1/a*b", "bad segment"],
  ])("rejects %s (%s)", (source, reason) => {
    expect(() => parsePathTemplate(source)).toThrow(PathTemplateError);
    expect(() => parsePathTemplate(source)).toThrow(reason);
  });
});

/**
 * `google.api.http` path templates (google/api/http.proto):
 *
 *     Template = "/" Segments [ Verb ] ;
 *     Segments = Segment { "/" Segment } ;
 *     Segment  = "*" | "**" | LITERAL | Variable ;
 *     Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *     Verb     = ":" LITERAL ;
 *
 * Parsed once per route into a list of segments, then matched against request paths
 * without regular expressions so a literal `.` or `+` in a template means itself.
 */

/** One segment of a template: a literal, `*` (one segment) or `**` (any number, then end). */
type Segment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "any" }
  | { readonly kind: "deep" };

/** A variable covers the template segments `[start, end)`. */
interface Variable {
  readonly fieldPath: string;
  readonly start: number;
  readonly end: number;
}

/** A parsed template: what to match, and which request fields its variables set. */
export interface PathTemplate {
  /** The template as written, e.g. `/v1/{name=shelves/*}/books`. */
  readonly source: string;
  /** Field paths of the variables, in order (`name`, `book.id`). */
  readonly variables: readonly string[];
  /** Count of literal segments: a route with more literal segments wins a tie. */
  readonly literals: number;
  /** Whether the template ends in `**` (matched last among equals). */
  readonly deep: boolean;
  /**
   * Matches a request path (without query) and returns each variable's value, or
   * `undefined`. Values are percent-decoded per segment; multi-segment values keep `/`.
   */
  match(path: string): Readonly<Record<string, string>> | undefined;
}

/** A template that is not valid per google/api/http.proto. */
export class PathTemplateError extends Error {
  constructor(template: string, reason: string) {
    super(`path template ${JSON.stringify(template)}: ${reason}`);
    this.name = "PathTemplateError";
  }
}

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Parses a template; throws `PathTemplateError` naming what is wrong. */
export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith("/")) throw new PathTemplateError(source, "must start with /");
  let rest = source.slice(1);
  let verb: string | undefined;
  // The verb is a `:` after the last `/` outside braces.
  const lastBrace = rest.lastIndexOf("}");
  const colon = rest.indexOf(":", Math.max(rest.lastIndexOf("/"), lastBrace) + 1);
  if (colon >= 0) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (verb === "" || verb.includes("/")) throw new PathTemplateError(source, "empty verb");
  }
  const segments: Segment[] = [];
  const variables: Variable[] = [];
  let i = 0;
  const parts = splitOutsideBraces(source, rest);
  for (const part of parts) {
    if (part.startsWith("{")) {
      if (!part.endsWith("}")) throw new PathTemplateError(source, `unclosed variable ${part}`);
      const inner = part.slice(1, -1);
      const eq = inner.indexOf("=");
      const fieldPath = eq < 0 ? inner : inner.slice(0, eq);
      if (!FIELD_PATH.test(fieldPath)) {
        throw new PathTemplateError(source, `bad variable name ${JSON.stringify(fieldPath)}`);
      }
      if (variables.some((v) => v.fieldPath === fieldPath)) {
        throw new PathTemplateError(source, `variable ${fieldPath} appears twice`);
      }
      const start = i;
      const pattern = eq < 0 ? ["*"] : inner.slice(eq + 1).split("/");
      for (const piece of pattern) {
        if (piece.includes("{") || piece.includes("}")) {
          throw new PathTemplateError(source, "variables must not nest");
        }
        segments.push(segmentOf(source, piece));
        i++;
      }
      variables.push({ fieldPath, start, end: i });
    } else {
      segments.push(segmentOf(source, part));
      i++;
    }
  }
  const deepAt = segments.findIndex((s) => s.kind === "deep");
  if (deepAt >= 0 && deepAt !== segments.length - 1) {
    throw new PathTemplateError(source, "** must be the last segment");
  }
  return {
    source,
    variables: variables.map((v) => v.fieldPath),
    literals: segments.filter((s) => s.kind === "literal").length,
    deep: deepAt >= 0,
    match(path) {
      let body = path;
      if (verb !== undefined) {
        if (!body.endsWith(`:${verb}`)) return undefined;
        body = body.slice(0, -verb.length - 1);
      }
      if (!body.startsWith("/")) return undefined;
      const pieces = body.slice(1).split("/");
      const last = segments.length - 1;
      if (deepAt < 0 ? pieces.length !== segments.length : pieces.length < last) return undefined;
      for (let s = 0; s < segments.length; s++) {
        const segment = segments[s] as Segment;
        if (segment.kind === "deep") break;
        const piece = pieces[s] as string;
        if (segment.kind === "literal" ? piece !== segment.value : piece === "") return undefined;
      }
      const values: Record<string, string> = {};
      for (const variable of variables) {
        const end = variable.end === segments.length && deepAt >= 0 ? pieces.length : variable.end;
        const taken = pieces.slice(variable.start, end);
        const decoded: string[] = [];
        for (const piece of taken) {
          const value = decode(piece);
          if (value === undefined) return undefined;
          decoded.push(value);
        }
        values[variable.fieldPath] = decoded.join("/");
      }
      return values;
    },
  };
}

/** Splits at `/` that are not inside `{...}`. */
function splitOutsideBraces(source: string, text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "{") depth++;
    if (char === "}") depth--;
    if (depth < 0 || depth > 1) throw new PathTemplateError(source, "unbalanced braces");
    if (char === "/" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  if (depth !== 0) throw new PathTemplateError(source, "unbalanced braces");
  parts.push(current);
  return parts;
}

function segmentOf(source: string, text: string): Segment {
  if (text === "*") return { kind: "any" };
  if (text === "**") return { kind: "deep" };
  if (text === "" || text.includes("*")) {
    throw new PathTemplateError(source, `bad segment ${JSON.stringify(text)}`);
  }
  return { kind: "literal", value: text };
}

function decode(piece: string): string | undefined {
  if (!piece.includes("%")) return piece;
  try {
    return decodeURIComponent(piece);
  } catch {
    return undefined;
  }
}

import { getComments } from "@bufbuild/protoplugin";
import type { DescMethod } from "@bufbuild/protobuf";
import type { PrintContext } from "./print-context.js";
import type { HttpBinding, TopicOption } from "./proto-options.js";

/** One rpc as the printers need it, with everything decided up front. */
export interface ServiceMethod {
  readonly desc: DescMethod;
  /** Client/handler method name (lowerCamel, escaped). */
  readonly localName: string;
  readonly http: readonly HttpBinding[];
  /** Set when the rpc declares `(micro.subscribe)`. */
  readonly subscribe?: { readonly option: TopicOption; readonly names: RpcTopicNames };
}

/** Exported names of an rpc-declared topic. */
export interface RpcTopicNames {
  readonly topic: string;
  readonly publisher: string;
  readonly createPublisher: string;
}

/** Exported names of one service's declarations, allocated collision-free per file. */
export interface ServiceNames {
  readonly descriptor: string;
  readonly client: string;
  readonly createClient: string;
  readonly handler: string;
  readonly registerHandler: string;
}

/**
 * The rpc's leading proto comment as JSDoc; for a `(micro.subscribe)` rpc, a note that the
 * method also receives the topic's messages.
 */
export function printProtoComment(
  c: PrintContext,
  desc: DescMethod,
  subscribe?: ServiceMethod["subscribe"],
): void {
  const lines: string[] = [];
  const leading = getComments(desc).leading?.trim();
  if (leading !== undefined && leading !== "") lines.push(leading);
  if (subscribe !== undefined) {
    lines.push(
      `Also receives the messages of topic "${subscribe.option.name}" (the context is then a MessageContext).`,
    );
  }
  if (lines.length > 0) c.f.print(c.f.jsDoc(lines.join("\n\n"), "  "));
}

/** A key of an object literal: `__proto__` must be computed or it would set the prototype. */
export function key(name: string): string {
  return name === "__proto__" ? `["__proto__"]` : name;
}

import type { DescService } from "@bufbuild/protobuf";
import type { Printable } from "@bufbuild/protoplugin";
import type { PrintContext } from "./print-context.js";
import { key, printProtoComment, type ServiceMethod, type ServiceNames } from "./service-method.js";

/** Prints the handler interface and its registration on the runtime `Server`. */
export function printHandler(
  c: PrintContext,
  service: DescService,
  methods: readonly ServiceMethod[],
  names: ServiceNames,
): void {
  const { f } = c;
  const handlerContext = c.runtimeType("HandlerContext");
  const promise = c.global("Promise");
  const asyncIterable = c.global("AsyncIterable");
  f.print(f.jsDoc(`What a service implements to serve ${service.typeName} (usually a class).`));
  f.print(f.export("interface", names.handler), " {");
  for (const { desc, localName, subscribe } of methods) {
    const input = c.message(desc.input);
    const output = c.message(desc.output);
    const context: Printable =
      subscribe === undefined
        ? handlerContext
        : [handlerContext, " | ", c.runtimeType("MessageContext")];
    printProtoComment(c, desc, subscribe);
    switch (desc.methodKind) {
      case "unary":
        f.print(
          "  ",
          localName,
          "(request: ",
          input,
          ", context: ",
          context,
          "): ",
          output,
          " | ",
          promise,
          "<",
          output,
          ">;",
        );
        break;
      case "server_streaming":
        f.print(
          "  ",
          localName,
          "(request: ",
          input,
          ", context: ",
          context,
          "): ",
          asyncIterable,
          "<",
          output,
          ">;",
        );
        break;
      case "client_streaming":
        f.print(
          "  ",
          localName,
          "(requests: ",
          asyncIterable,
          "<",
          input,
          ">, context: ",
          context,
          "): ",
          output,
          " | ",
          promise,
          "<",
          output,
          ">;",
        );
        break;
      case "bidi_streaming":
        f.print(
          "  ",
          localName,
          "(requests: ",
          asyncIterable,
          "<",
          input,
          ">, context: ",
          context,
          "): ",
          asyncIterable,
          "<",
          output,
          ">;",
        );
        break;
    }
  }
  f.print("}");
  f.print();
  const subscribed = methods.filter((m) => m.subscribe !== undefined);
  const doc =
    subscribed.length === 0
      ? `Serves ${service.typeName} with the handler on the server.`
      : `Serves ${service.typeName} with the handler on the server, and subscribes its (micro.subscribe) methods to their topics.`;
  f.print(f.jsDoc(doc));
  f.print(
    f.export("function", names.registerHandler),
    "(server: ",
    c.runtimeType("Server"),
    ", handler: ",
    names.handler,
    "): void {",
  );
  f.print("  server.handle(", names.descriptor, ", {");
  for (const { desc, localName } of methods) {
    const input = c.message(desc.input);
    const request: Printable =
      desc.methodKind === "unary" || desc.methodKind === "server_streaming"
        ? ["request: ", input]
        : ["request: ", asyncIterable, "<", input, ">"];
    f.print(
      "    ",
      key(desc.name),
      ": (",
      request,
      ", context: ",
      handlerContext,
      ") => handler.",
      localName,
      "(request, context),",
    );
  }
  f.print("  });");
  for (const m of subscribed) {
    if (m.subscribe === undefined) continue;
    f.print("  server.subscribe(", m.subscribe.names.topic, ", async (message, context) => {");
    f.print("    await handler.", m.localName, "(message, context);");
    f.print("  });");
  }
  f.print("}");
  f.print();
}

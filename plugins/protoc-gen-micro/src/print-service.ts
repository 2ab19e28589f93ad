import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { Printable } from "@bufbuild/protoplugin";
import { httpRulesLiteral, literal, messageSchemaLiteral } from "./endpoint-schema.js";
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

/** A key of an object literal: `__proto__` must be computed or it would set the prototype. */
function key(name: string): string {
  return name === "__proto__" ? `["__proto__"]` : name;
}

/**
 * Prints the descriptor (a typed `ServiceDescriptor`), the client interface and factory, the
 * handler interface and its registration, and the topics of `(micro.subscribe)` rpcs.
 */
export function printService(
  c: PrintContext,
  service: DescService,
  methods: readonly ServiceMethod[],
  names: ServiceNames,
): void {
  printDescriptor(c, service, methods, names);
  printClient(c, service, methods, names);
  printHandler(c, service, methods, names);
}

function printDescriptor(
  c: PrintContext,
  service: DescService,
  methods: readonly ServiceMethod[],
  names: ServiceNames,
): void {
  const { f } = c;
  const methodDescriptor = c.runtimeType("MethodDescriptor");
  f.print(f.jsDoc(`The methods of ${service.typeName} with their message types.`));
  f.print(
    f.export("interface", names.descriptor),
    " extends ",
    c.runtimeType("ServiceDescriptor"),
    " {",
  );
  f.print("  readonly methods: {");
  for (const m of methods) {
    const { input, output } = m.desc;
    f.print(
      "    readonly ",
      key(m.desc.name),
      ": ",
      methodDescriptor,
      "<",
      c.message(input),
      ", ",
      c.message(output),
      ">;",
    );
  }
  f.print("  };");
  f.print("}");
  f.print();
  f.print(f.jsDoc(`${service.typeName}: what the runtime needs to call and serve it.`));
  f.print(f.export("const", names.descriptor), ": ", names.descriptor, " = {");
  f.print("  typeName: ", literal(service.typeName), ",");
  f.print("  name: ", literal(service.name), ",");
  f.print("  methods: {");
  for (const m of methods) {
    const { desc } = m;
    f.print("    ", key(desc.name), ": {");
    f.print("      service: ", literal(service.typeName), ",");
    f.print("      name: ", literal(desc.name), ",");
    f.print("      kind: ", literal(desc.methodKind), ",");
    f.print("      input: ", c.message(desc.input), ",");
    f.print("      output: ", c.message(desc.output), ",");
    f.print("      endpoint: {");
    f.print("        name: ", literal(`${service.name}.${desc.name}`), ",");
    f.print("        path: ", literal(`/${service.typeName}/${desc.name}`), ",");
    f.print("        kind: ", literal(desc.methodKind), ",");
    f.print("        request: ", messageSchemaLiteral(desc.input, c.options), ",");
    f.print("        response: ", messageSchemaLiteral(desc.output, c.options), ",");
    f.print("        http: ", httpRulesLiteral(m.http), ",");
    f.print("      },");
    f.print("    },");
  }
  f.print("  },");
  f.print("};");
  f.print();
  for (const m of methods) {
    if (m.subscribe !== undefined) printRpcTopic(c, m, m.subscribe.option, m.subscribe.names);
  }
}

function printRpcTopic(
  c: PrintContext,
  m: ServiceMethod,
  option: TopicOption,
  names: RpcTopicNames,
): void {
  const { f } = c;
  const input = c.message(m.desc.input);
  const queue = option.queue === undefined ? "" : `, queue: ${literal(option.queue)}`;
  f.print(
    f.jsDoc(
      `Topic "${option.name}", delivered to ${m.desc.parent.typeName}.${m.desc.name} by its (micro.subscribe) option.`,
    ),
  );
  f.print(
    f.export("const", names.topic),
    ": ",
    c.runtimeType("TopicDescriptor"),
    "<",
    input,
    "> = { topic: ",
    literal(option.name),
    ", type: ",
    input,
    ", typeName: ",
    literal(m.desc.input.typeName),
    queue,
    " };",
  );
  f.print();
  printPublisher(c, input, names.topic, names.publisher, names.createPublisher, option.name);
}

/** Prints a typed publisher of a topic; shared by message topics and rpc-declared topics. */
export function printPublisher(
  c: PrintContext,
  message: Printable,
  topic: string,
  publisher: string,
  createPublisher: string,
  topicName: string,
): void {
  const { f } = c;
  f.print(f.jsDoc(`Publishes on "${topicName}".`));
  f.print(f.export("interface", publisher), " {");
  f.print(
    "  publish(message: ",
    message,
    ", options?: ",
    c.runtimeType("PublishOptions"),
    "): ",
    c.global("Promise"),
    "<void>;",
  );
  f.print("}");
  f.print();
  f.print(f.jsDoc(`A publisher of "${topicName}" over the client's broker.`));
  f.print(
    f.export("function", createPublisher),
    "(client: ",
    c.runtimeType("Client"),
    "): ",
    publisher,
    " {",
  );
  f.print(
    "  return { publish: (message, options) => client.publish(",
    topic,
    ", message, options) };",
  );
  f.print("}");
  f.print();
}

function printClient(
  c: PrintContext,
  service: DescService,
  methods: readonly ServiceMethod[],
  names: ServiceNames,
): void {
  const { f } = c;
  const callOptions = c.runtimeType("CallOptions");
  const promise = c.global("Promise");
  const asyncIterable = c.global("AsyncIterable");
  f.print(f.jsDoc(`Typed client of ${service.typeName}.`));
  f.print(f.export("interface", names.client), " {");
  for (const { desc, localName } of methods) {
    const input = c.message(desc.input);
    const output = c.message(desc.output);
    switch (desc.methodKind) {
      case "unary":
        f.print(
          "  ",
          localName,
          "(request: ",
          input,
          ", options?: ",
          callOptions,
          "): ",
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
          ", options?: ",
          callOptions,
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
          ">, options?: ",
          callOptions,
          "): ",
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
          ">, options?: ",
          callOptions,
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
  f.print(f.jsDoc('`service` is the registered service name to call, e.g. "greeter".'));
  f.print(
    f.export("function", names.createClient),
    "(client: ",
    c.runtimeType("Client"),
    ", service: string): ",
    names.client,
    " {",
  );
  f.print("  return {");
  for (const { desc, localName } of methods) {
    const method = `${names.descriptor}.methods.${desc.name}`;
    switch (desc.methodKind) {
      case "unary":
        f.print("    ", localName, "(request, options) {");
        f.print("      return client.call(service, ", method, ", request, options);");
        break;
      case "server_streaming":
        f.print("    ", localName, "(request, options) {");
        f.print("      const requests = (async function* () {");
        f.print("        yield request;");
        f.print("      })();");
        f.print("      return client.stream(service, ", method, ", requests, options);");
        break;
      case "client_streaming":
        f.print("    async ", localName, "(requests, options) {");
        f.print(
          "      for await (const response of client.stream(service, ",
          method,
          ", requests, options)) {",
        );
        f.print("        return response;");
        f.print("      }");
        f.print(
          "      throw ",
          c.runtimeValue("internalServerError"),
          "(service, ",
          literal(`${service.typeName}/${desc.name}: the stream ended without a response`),
          ");",
        );
        break;
      case "bidi_streaming":
        f.print("    ", localName, "(requests, options) {");
        f.print("      return client.stream(service, ", method, ", requests, options);");
        break;
    }
    f.print("    },");
  }
  f.print("  };");
  f.print("}");
  f.print();
}

function printHandler(
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
    if (subscribe !== undefined) {
      f.print(
        f.jsDoc(
          `Also receives the messages of topic "${subscribe.option.name}" (context is then a MessageContext).`,
          "  ",
        ),
      );
    }
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

import type { DescService } from "@bufbuild/protobuf";
import { literal } from "./endpoint-schema.js";
import type { PrintContext } from "./print-context.js";
import { printProtoComment, type ServiceMethod, type ServiceNames } from "./service-method.js";

/** Prints the client interface and its factory over the runtime `Client`. */
export function printClient(
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
    printProtoComment(c, desc);
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
      case "client_streaming": {
        // The response stream is read to its end, so the call completes normally (its final
        // status is seen) instead of being cancelled after the first message.
        const error = c.runtimeValue("internalServerError");
        const where = `${service.typeName}/${desc.name}`;
        f.print("    async ", localName, "(requests, options) {");
        f.print("      let response: ", c.message(desc.output), " | undefined;");
        f.print(
          "      for await (const message of client.stream(service, ",
          method,
          ", requests, options)) {",
        );
        f.print("        if (response !== undefined) {");
        f.print(
          "          throw ",
          error,
          "(service, ",
          literal(`${where}: more than one response`),
          ");",
        );
        f.print("        }");
        f.print("        response = message;");
        f.print("      }");
        f.print("      if (response === undefined) {");
        f.print(
          "        throw ",
          error,
          "(service, ",
          literal(`${where}: the stream ended without a response`),
          ");",
        );
        f.print("      }");
        f.print("      return response;");
        break;
      }
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

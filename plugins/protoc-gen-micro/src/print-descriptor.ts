import type { Printable } from "@bufbuild/protoplugin";
import type { DescService } from "@bufbuild/protobuf";
import { httpRulesLiteral, literal, type SchemaNames } from "./endpoint-schema.js";
import type { PrintContext } from "./print-context.js";
import type { TopicOption } from "./proto-options.js";
import {
  key,
  type RpcTopicNames,
  type ServiceMethod,
  type ServiceNames,
} from "./service-method.js";

/** Prints the typed `ServiceDescriptor` and the topics of `(micro.subscribe)` rpcs. */
export function printDescriptor(
  c: PrintContext,
  service: DescService,
  methods: readonly ServiceMethod[],
  names: ServiceNames,
  schemas: SchemaNames,
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
    // One print per method with multi-line strings: this block dominates large outputs.
    const { desc } = m;
    const kind = literal(desc.methodKind);
    f.print(
      `    ${key(desc.name)}: {\n`,
      `      service: ${literal(service.typeName)},\n`,
      `      name: ${literal(desc.name)},\n`,
      `      kind: ${kind},\n`,
      "      input: ",
      c.message(desc.input),
      ",\n      output: ",
      c.message(desc.output),
      ",\n      endpoint: {\n",
      `        name: ${literal(`${service.name}.${desc.name}`)},\n`,
      `        path: ${literal(`/${service.typeName}/${desc.name}`)},\n`,
      `        kind: ${kind},\n`,
      `        request: ${schemas.get(desc.input) ?? ""},\n`,
      `        response: ${schemas.get(desc.output) ?? ""},\n`,
      `        http: ${httpRulesLiteral(m.http)},\n`,
      "      },\n",
      "    },",
    );
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

import type { DescMessage } from "@bufbuild/protobuf";
import { literal } from "./endpoint-schema.js";
import type { PrintContext } from "./print-context.js";
import { printPublisher } from "./print-descriptor.js";
import type { TopicOption } from "./proto-options.js";

/** Exported names of a message-declared topic, allocated collision-free per file. */
export interface TopicNames {
  readonly topic: string;
  readonly subscriber: string;
  readonly registerSubscriber: string;
  readonly publisher: string;
  readonly createPublisher: string;
}

/**
 * Prints a `(micro.topic)` message's topic descriptor, subscriber interface and registration,
 * and typed publisher.
 */
export function printTopic(
  c: PrintContext,
  message: DescMessage,
  option: TopicOption,
  names: TopicNames,
): void {
  const { f } = c;
  const type = c.message(message);
  const queue = option.queue === undefined ? "" : `, queue: ${literal(option.queue)}`;
  f.print(f.jsDoc(`Topic "${option.name}" carrying ${message.typeName}.`));
  f.print(
    f.export("const", names.topic),
    ": ",
    c.runtimeType("TopicDescriptor"),
    "<",
    type,
    "> = { topic: ",
    literal(option.name),
    ", type: ",
    type,
    ", typeName: ",
    literal(message.typeName),
    queue,
    " };",
  );
  f.print();
  f.print(f.jsDoc(`Receives the messages of "${option.name}".`));
  f.print(f.export("interface", names.subscriber), " {");
  f.print(
    "  handle(message: ",
    type,
    ", context: ",
    c.runtimeType("MessageContext"),
    "): void | ",
    c.global("Promise"),
    "<void>;",
  );
  f.print("}");
  f.print();
  f.print(
    f.jsDoc(`Subscribes the subscriber to "${option.name}"; options override the proto's queue.`),
  );
  f.print(
    f.export("function", names.registerSubscriber),
    "(server: ",
    c.runtimeType("Server"),
    ", subscriber: ",
    names.subscriber,
    ", options?: ",
    c.runtimeType("SubscribeOptions"),
    "): void {",
  );
  f.print(
    "  server.subscribe(",
    names.topic,
    ", (message, context) => subscriber.handle(message, context), options);",
  );
  f.print("}");
  f.print();
  printPublisher(c, type, names.topic, names.publisher, names.createPublisher, option.name);
}

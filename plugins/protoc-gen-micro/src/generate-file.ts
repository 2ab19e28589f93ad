import type { DescFile, DescMessage } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import type { Schema } from "@bufbuild/protoplugin";
import { printMessageSchemas } from "./endpoint-schema.js";
import { lowerCamel, methodNames } from "./method-names.js";
import type { MicroOptions } from "./options.js";
import { createPrintContext } from "./print-context.js";
import { printService } from "./print-service.js";
import type { ServiceMethod, ServiceNames } from "./service-method.js";
import { printTopic, type TopicNames } from "./print-topic.js";
import type { ProtoOptionReader, TopicOption } from "./proto-options.js";
import { tsProtoMessageName } from "./ts-proto-names.js";

/** `greeter/v1/greeter.proto` -> `greeter/v1/greeter.micro.ts`, beside ts-proto's file. */
export function microFileName(protoFileName: string): string {
  return `${protoFileName.replace(/\.proto$/, "")}.micro.ts`;
}

/** The messages of a file, nested ones included, that declare `(micro.topic)`. */
export function topicMessages(
  file: DescFile,
  reader: ProtoOptionReader,
): { message: DescMessage; option: TopicOption }[] {
  const found: { message: DescMessage; option: TopicOption }[] = [];
  for (const desc of nestedTypes(file)) {
    if (desc.kind !== "message") continue;
    const option = reader.topic(desc);
    if (option !== undefined) found.push({ message: desc, option });
  }
  return found;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Writes `<file>.micro.ts` for a file with services or topics (nothing otherwise). Exported
 * names are allocated in declaration order; a name already taken in the file (e.g. service
 * `GreeterOnGreeted`'s descriptor vs. rpc-topic names) gets a trailing `_`.
 */
export function generateMicroFile(
  schema: Schema<MicroOptions>,
  file: DescFile,
  reader: ProtoOptionReader,
): void {
  const topics = topicMessages(file, reader);
  if (file.services.length === 0 && topics.length === 0) return;
  const taken = new Set<string>();
  const allocate = (name: string): string => {
    let n = name;
    while (taken.has(n)) n += "_";
    taken.add(n);
    return n;
  };
  const services = file.services.map((service) => {
    const names: ServiceNames = {
      descriptor: allocate(`${service.name}Descriptor`),
      client: allocate(`${service.name}Client`),
      createClient: allocate(`create${capitalize(service.name)}Client`),
      handler: allocate(`${service.name}Handler`),
      registerHandler: allocate(`register${capitalize(service.name)}Handler`),
    };
    const localNames = methodNames(service.methods);
    const methods = service.methods.map((desc): ServiceMethod => {
      const where = `${file.proto.name}: rpc ${service.typeName}.${desc.name}`;
      const option = reader.subscribe(desc);
      const base: ServiceMethod = {
        desc,
        localName: localNames.get(desc) ?? desc.name,
        http: reader.http(desc),
      };
      if (option === undefined) return base;
      if (desc.methodKind !== "unary") {
        throw new Error(
          `${where}: (micro.subscribe) needs a unary rpc, this one is ${desc.methodKind}`,
        );
      }
      const prefix = `${service.name}${capitalize(lowerCamel(desc.name))}`;
      const names = {
        topic: allocate(`${prefix}Topic`),
        publisher: allocate(`${prefix}Publisher`),
        createPublisher: allocate(`create${capitalize(prefix)}Publisher`),
      };
      return { ...base, subscribe: { option, names } };
    });
    return { service, methods, names };
  });
  const topicsWithNames = topics.map(({ message, option }) => {
    const base = tsProtoMessageName(message, schema.options);
    const names: TopicNames = {
      topic: allocate(`${base}Topic`),
      subscriber: allocate(`${base}Subscriber`),
      registerSubscriber: allocate(`register${capitalize(base)}Subscriber`),
      publisher: allocate(`${base}Publisher`),
      createPublisher: allocate(`create${capitalize(base)}Publisher`),
    };
    return { message, option, names };
  });

  const name = microFileName(file.proto.name);
  const f = schema.generateFile(name);
  const c = createPrintContext(f, `./${name.replace(/\.ts$/, ".js")}`, schema.options);
  const schemas = printMessageSchemas(c, file.services);
  for (const { service, methods, names } of services) {
    printService(c, service, methods, names, schemas);
  }
  for (const { message, option, names } of topicsWithNames) printTopic(c, message, option, names);
}

// The public API of protoc-gen-micro: the plugin itself (run it with protoplugin's
// `runNodeJs`, as bin/protoc-gen-micro.js does) and the pure helpers its tests and tools use.
export { protocGenMicro, version } from "./protoc-gen-micro-plugin.js";
export { parseOptions, type MicroOptions } from "./options.js";
export { normalizeParameter } from "./parameter.js";
export { microFileName } from "./generate-file.js";
export { lowerCamel, methodNames } from "./method-names.js";
export {
  snakeToCamel,
  tsProtoMessageName,
  tsProtoFieldName,
  tsProtoModule,
} from "./ts-proto-names.js";

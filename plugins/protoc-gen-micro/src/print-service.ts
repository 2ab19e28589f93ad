import type { DescService } from "@bufbuild/protobuf";
import { printClient } from "./print-client.js";
import type { SchemaNames } from "./endpoint-schema.js";
import type { PrintContext } from "./print-context.js";
import { printDescriptor } from "./print-descriptor.js";
import { printHandler } from "./print-handler.js";
import type { ServiceMethod, ServiceNames } from "./service-method.js";

/**
 * Prints the descriptor (a typed `ServiceDescriptor`), the client interface and factory, the
 * handler interface and its registration, and the topics of `(micro.subscribe)` rpcs.
 */
export function printService(
  c: PrintContext,
  service: DescService,
  methods: readonly ServiceMethod[],
  names: ServiceNames,
  schemas: SchemaNames,
): void {
  printDescriptor(c, service, methods, names, schemas);
  printClient(c, service, methods, names);
  printHandler(c, service, methods, names);
}

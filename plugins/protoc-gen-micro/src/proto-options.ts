import {
  getOption,
  hasOption,
  isMessage,
  toJson,
  type DescExtension,
  type DescFile,
  type DescMessage,
  type DescMethod,
  type JsonObject,
  type JsonValue,
} from "@bufbuild/protobuf";

/** A `(micro.topic)` or `(micro.subscribe)` option: where a message is published. */
export interface TopicOption {
  readonly name: string;
  readonly queue?: string;
}

/** One `google.api.http` binding, shaped like the runtime's `HttpRule`. */
export interface HttpBinding {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly responseBody?: string;
}

/** Reads the custom options protoc-gen-micro acts on. */
export interface ProtoOptionReader {
  /** The message's `(micro.topic)`, if set. */
  topic(message: DescMessage): TopicOption | undefined;
  /** The rpc's `(micro.subscribe)`, if set. */
  subscribe(method: DescMethod): TopicOption | undefined;
  /** The rpc's `google.api.http` rule and its additional bindings, flattened; empty if unset. */
  http(method: DescMethod): HttpBinding[];
}

/**
 * Builds a reader over the extensions found in the request's files by full name, so any copy
 * of `google/api/annotations.proto` or `micro/options.proto` works (a file that does not
 * import one cannot set its options, so a missing extension just means "never set").
 */
export function createProtoOptionReader(files: readonly DescFile[]): ProtoOptionReader {
  const extensions = new Map<string, DescExtension>();
  for (const file of files) {
    for (const ext of file.extensions) extensions.set(ext.typeName, ext);
  }
  const topicExt = extensions.get("micro.topic");
  const subscribeExt = extensions.get("micro.subscribe");
  const httpExt = extensions.get("google.api.http");
  return {
    topic(message) {
      if (topicExt === undefined || !hasOption(message, topicExt)) return undefined;
      return toTopic(
        readJson(message, topicExt),
        `message ${message.typeName}`,
        "micro.topic",
        message.file,
      );
    },
    subscribe(method) {
      if (subscribeExt === undefined || !hasOption(method, subscribeExt)) return undefined;
      const where = `rpc ${method.parent.typeName}.${method.name}`;
      return toTopic(readJson(method, subscribeExt), where, "micro.subscribe", method.parent.file);
    },
    http(method) {
      if (httpExt === undefined || !hasOption(method, httpExt)) return [];
      const where = `${method.parent.file.proto.name}: rpc ${method.parent.typeName}.${method.name}`;
      const rule = readJson(method, httpExt);
      const bindings = [toBinding(rule, where)];
      const additional = rule["additionalBindings"];
      if (Array.isArray(additional)) {
        for (const binding of additional) {
          const object = asObject(binding);
          if (object["additionalBindings"] !== undefined) {
            throw new Error(`${where}: google.api.http additional_bindings must not nest`);
          }
          bindings.push(toBinding(object, where));
        }
      }
      return bindings;
    },
  };
}

function readJson(element: DescMessage | DescMethod, ext: DescExtension): JsonObject {
  const value: unknown = getOption(element, ext);
  if (ext.fieldKind !== "message" || !isMessage(value, ext.message)) {
    throw new Error(`option (${ext.typeName}) is not a message option`);
  }
  return asObject(toJson(ext.message, value));
}

function asObject(value: JsonValue): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

function toTopic(
  option: JsonObject,
  where: string,
  optionName: string,
  file: DescFile,
): TopicOption {
  const name = option["name"];
  const queue = option["queue"];
  if (typeof name !== "string" || name.trim() === "") {
    throw new Error(`${file.proto.name}: ${where}: option (${optionName}) needs a non-empty name`);
  }
  if (/\s/.test(name)) {
    throw new Error(`${file.proto.name}: ${where}: topic name "${name}" must not contain spaces`);
  }
  return typeof queue === "string" && queue !== "" ? { name, queue } : { name };
}

const verbs = ["get", "put", "post", "delete", "patch"] as const;

function toBinding(rule: JsonObject, where: string): HttpBinding {
  let method: string | undefined;
  let path: string | undefined;
  for (const verb of verbs) {
    const value = rule[verb];
    if (typeof value === "string") {
      method = verb.toUpperCase();
      path = value;
    }
  }
  const custom = rule["custom"];
  if (custom !== undefined) {
    const object = asObject(custom);
    method = typeof object["kind"] === "string" ? object["kind"] : "";
    path = typeof object["path"] === "string" ? object["path"] : "";
  }
  if (method === undefined || path === undefined || method === "" || path === "") {
    throw new Error(
      `${where}: google.api.http rule needs a verb (get, put, post, delete, patch or custom) and a path`,
    );
  }
  const body = rule["body"];
  const responseBody = rule["responseBody"];
  return {
    method,
    path,
    ...(typeof body === "string" && body !== "" ? { body } : {}),
    ...(typeof responseBody === "string" && responseBody !== "" ? { responseBody } : {}),
  };
}

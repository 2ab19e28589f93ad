/** An rpc's shape, as protoc-gen-micro's handler interfaces type it. */
export type RpcKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** A message type as ts-proto exports it: its name and its module under `gen/` (no suffix). */
export interface TypeRef {
  readonly name: string;
  readonly module: string;
}

/** One rpc: the names the generated handler interface gives it. */
export interface RpcModel {
  readonly protoName: string;
  /** The handler method name (protoc-gen-micro's `methodNames`). */
  readonly method: string;
  readonly kind: RpcKind;
  readonly input: TypeRef;
  readonly output: TypeRef;
}

/** One service: the generated `<base>Handler`, `register<base>Handler`, `create<base>Client`. */
export interface ServiceModel {
  readonly protoName: string;
  /** `package.Service`, the first part of its rpc paths. */
  readonly fullName: string;
  readonly base: string;
  /** The `.micro` module under `gen/` (no suffix). */
  readonly microModule: string;
  readonly rpcs: readonly RpcModel[];
}

/** One `(micro.topic)` message: the generated `<base>Subscriber`, `register<base>Subscriber`. */
export interface TopicModel {
  readonly topic: string;
  readonly base: string;
  readonly message: TypeRef;
  readonly microModule: string;
}

/** What the scaffolder needs to know of a project's protos. */
export interface ProtoModel {
  /** The `.proto` files under `proto/`, by path relative to it. */
  readonly files: ReadonlyMap<string, string>;
  readonly services: readonly ServiceModel[];
  readonly topics: readonly TopicModel[];
}

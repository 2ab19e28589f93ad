// The public API of @micro-ts/runtime. Engine-backed parts live in subpath exports
// (`@micro-ts/runtime/grpc`, ...) so this entry stays free of optional dependencies.
export type {
  MethodKind,
  MessageType,
  HttpRule,
  FieldSchema,
  MessageSchema,
  EndpointSchema,
  MethodDescriptor,
  ServiceDescriptor,
  TopicDescriptor,
} from "./method/method-descriptor.js";
export { type Metadata, normalizeMetadata, mergeMetadata } from "./metadata/metadata.js";
export {
  MicroError,
  type MicroErrorJson,
  badRequest,
  unauthorized,
  forbidden,
  notFound,
  timeout,
  conflict,
  payloadTooLarge,
  tooManyRequests,
  canceled,
  internalServerError,
  notImplemented,
  badGateway,
  serviceUnavailable,
  gatewayTimeout,
} from "./errors/micro-error.js";
export {
  type StatusMapping,
  STATUS_MAPPINGS,
  statusForCode,
  statusForConnectCode,
  statusForGrpcCode,
  httpStatusForConnectCode,
} from "./errors/status-codes.js";
export type { Codec } from "./codec/codec.js";
export { createProtoCodec } from "./codec/proto-codec.js";
export { createJsonCodec } from "./codec/json-codec.js";
export type { HandlerContext, MessageContext } from "./context/handler-context.js";
export type { CallOptions, CallParent, PublishOptions } from "./context/call-options.js";
export type {
  Transport,
  ListenOptions,
  TransportListener,
  Router,
  InboundCall,
  Route,
  RouteResult,
  OutboundCall,
  TransportClient,
} from "./transport/transport.js";
export type {
  ServiceNode,
  ServiceRecord,
  RegisterOptions,
  RegistryEvent,
  RegistryWatcher,
  Registry,
} from "./registry/registry.js";
export type { Next, NodeFilter, Selector } from "./selector/selector.js";
export type {
  BrokerMessage,
  BrokerHandler,
  BrokerSubscribeOptions,
  BrokerSubscription,
  Broker,
} from "./broker/broker.js";
export type { Client, ClientRequest, ClientCallFn, ClientWrapper } from "./client/client.js";
export type {
  UnaryHandler,
  ServerStreamingHandler,
  ClientStreamingHandler,
  BidiStreamingHandler,
  MethodHandler,
  ServiceImplementation,
  Subscriber,
  HandlerFn,
  HandlerWrapper,
  SubscriberWrapper,
} from "./server/handler.js";
export type { Server, SubscribeOptions } from "./server/server.js";
export {
  type Logger,
  type LogLevel,
  type LogFields,
  type ConsoleLoggerOptions,
  createConsoleLogger,
} from "./logger/logger.js";
export { type ClientOptions, createClient } from "./client/rpc-client.js";
export { type Backoff, exponentialBackoff, isRetryable } from "./client/retry.js";
export { type ServerOptions, createServer } from "./server/rpc-server.js";
export {
  type ServiceOptions,
  type ServiceHooks,
  type Service,
  createService,
} from "./service/service.js";
export { runService } from "./service/run-service.js";
export {
  type EnvConfig,
  type TransportName,
  type RegistryName,
  type BrokerName,
  ConfigError,
  readEnvConfig,
  parseDuration,
  parseAddress,
} from "./service/env-config.js";
export {
  type TransportFromEnvOptions,
  createRegistryFromEnv,
  createBrokerFromEnv,
  createTransportFromEnv,
} from "./service/env-engines.js";
export { createLazyTransport } from "./transport/lazy-transport.js";
export { type MemoryRegistryOptions, createMemoryRegistry } from "./registry/memory-registry.js";
export { type LocalRegistryOptions, createLocalRegistry } from "./registry/local-registry.js";
export {
  type SelectorOptions,
  type SelectorStrategy,
  createSelector,
} from "./selector/registry-selector.js";
export { type MemoryBrokerOptions, createMemoryBroker } from "./broker/memory-broker.js";
export { type LocalBrokerOptions, createLocalBroker } from "./broker/local-broker.js";
export { createMemoryTransport } from "./transport/memory/memory-transport.js";
export { DEFAULT_REGISTER_TTL } from "./registry/registry-records.js";
export { LOCAL_BROKER_SERVICE } from "./broker/local-broker.js";
export {
  type BrokerErrorHandler,
  type BrokerErrorContext,
  logBrokerError,
} from "./broker/delivery.js";
export { type HttpTransportOptions, createHttpTransport } from "./transport/http/http-transport.js";

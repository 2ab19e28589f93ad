// `@micro-ts/runtime/nats`: broker, registry and transport on NATS. Kept out of the main
// entry so that only services using NATS need the `@nats-io/*` clients installed.
export {
  type NatsConnectionOptions,
  DEFAULT_NATS_SERVERS,
  DEFAULT_CONNECT_TIMEOUT,
} from "./nats-connection.js";
export { type NatsBrokerOptions, createNatsBroker } from "./nats-broker.js";
export { type NatsRegistryOptions, createNatsRegistry } from "./nats-registry.js";
export { type NatsTransportOptions, createNatsTransport } from "./nats-transport.js";

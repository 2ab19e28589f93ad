import type { EndpointSchema } from "../method/method-descriptor.js";

/** One running instance of a service. */
export interface ServiceNode {
  /** Unique per process: `<service>-<uuid>`. */
  readonly id: string;
  /** `host:port` the node's transport listens on. */
  readonly address: string;
  /** Includes `transport`, `broker`, `registry`, `protocol` and user metadata. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A service as registered: one record per name and version, with its live nodes. */
export interface ServiceRecord {
  readonly name: string;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly endpoints: readonly EndpointSchema[];
  readonly nodes: readonly ServiceNode[];
}

/** Registration settings. */
export interface RegisterOptions {
  /** Milliseconds after which a node that stopped re-registering is forgotten. */
  readonly ttl?: number;
}

/** A change seen by a watcher. */
export interface RegistryEvent {
  readonly type: "create" | "update" | "delete";
  readonly service: ServiceRecord;
}

/** Stream of registry changes; `stop()` ends the iteration. */
export interface RegistryWatcher extends AsyncIterable<RegistryEvent> {
  stop(): void;
}

/**
 * Service discovery. Nodes register with a TTL and re-register on an interval; a node
 * that dies silently disappears once its TTL passes.
 */
export interface Registry {
  readonly name: string;
  /** Adds or refreshes the nodes of `service` (merging with nodes already known). */
  register(service: ServiceRecord, options?: RegisterOptions): Promise<void>;
  /** Removes the nodes of `service`; the record goes when it has no nodes left. */
  deregister(service: ServiceRecord): Promise<void>;
  /** Every version of a service with live nodes; empty when it is unknown. */
  getService(name: string): Promise<ServiceRecord[]>;
  listServices(): Promise<ServiceRecord[]>;
  /** Watches every service, or only `service` when given. */
  watch(options?: { service?: string }): RegistryWatcher;
  close(): Promise<void>;
}

import { MicroError } from "../errors/micro-error.js";
import type { Logger } from "../logger/logger.js";
import type { Registry, ServiceNode, ServiceRecord } from "../registry/registry.js";
import { createNodeMarks } from "./node-marks.js";
import { createServiceCache } from "./service-cache.js";
import type { Next, NodeFilter, Selector } from "./selector.js";

/** How a selector spreads calls over the usable nodes of a service. */
export type SelectorStrategy = "random" | "roundRobin";

/** Settings of a selector. */
export interface SelectorOptions {
  /** Where services are looked up; lookups are cached and kept fresh by a watch. */
  readonly registry: Registry;
  /**
   * `random` (default, go-micro's) picks any usable node, preferring one this call has not
   * tried yet; `roundRobin` cycles through the nodes of each service, per selector.
   */
  readonly strategy?: SelectorStrategy;
  /** Milliseconds a cached lookup is trusted without a watch event. Default 60 000. */
  readonly cacheTtl?: number;
  /** Milliseconds a node is skipped after a connection failure. Default 1 000. */
  readonly markBackoff?: number;
  /** The skip doubles per consecutive failure, up to this. Default 30 000. */
  readonly markMaxBackoff?: number;
  /** Told when lookups fall back to stale cached records. Default: console, `selector`. */
  readonly logger?: Logger;
}

const ID = "micro.selector";
/** The `usable` key of calls without a filter. */
const ALL = Symbol("all nodes");

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new MicroError(ID, 400, `selector: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/**
 * The selector of every client: serves lookups from a watched cache, narrows nodes with
 * the call's filter, skips nodes marked as failing (unless none other is left), and
 * spreads calls with the chosen strategy.
 */
export function createSelector(options: SelectorOptions): Selector {
  const { registry } = options;
  const strategy = options.strategy ?? "random";
  if (strategy !== "random" && strategy !== "roundRobin") {
    throw new MicroError(
      ID,
      400,
      `selector: unknown strategy ${JSON.stringify(strategy)}; use "random" or "roundRobin"`,
    );
  }
  const cache = createServiceCache({
    registry,
    ttl: positive("cacheTtl", options.cacheTtl ?? 60_000),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const marks = createNodeMarks({
    backoff: positive("markBackoff", options.markBackoff ?? 1_000),
    maxBackoff: positive("markMaxBackoff", options.markMaxBackoff ?? 30_000),
  });
  /** Next round-robin position per service. */
  const positions = new Map<string, number>();
  let closed = false;

  /**
   * The usable nodes per records array (the cache answers the same array until the
   * service changes) and per filter: a call then costs no copying or filtering.
   */
  const usable = new WeakMap<
    readonly ServiceRecord[],
    Map<NodeFilter | typeof ALL, ServiceNode[]>
  >();

  const pick = (
    service: string,
    candidates: readonly ServiceNode[],
    tried: ReadonlySet<string> | undefined,
  ): ServiceNode => {
    if (strategy === "roundRobin") {
      const position = positions.get(service) ?? Math.floor(Math.random() * candidates.length);
      positions.set(service, (position + 1) % Number.MAX_SAFE_INTEGER);
      return candidates[position % candidates.length] as ServiceNode;
    }
    const untried = tried ? candidates.filter((node) => !tried.has(node.id)) : candidates;
    const pool = untried.length > 0 ? untried : candidates;
    return pool[Math.floor(Math.random() * pool.length)] as ServiceNode;
  };

  const nodesOf = (
    service: string,
    records: readonly ServiceRecord[],
    filter: NodeFilter | undefined,
  ): ServiceNode[] => {
    let byFilter = usable.get(records);
    if (!byFilter) {
      byFilter = new Map();
      usable.set(records, byFilter);
    }
    const known = byFilter.get(filter ?? ALL);
    if (known) return known;
    if (records.length === 0) {
      throw new MicroError(
        ID,
        404,
        `service ${service} not found in the ${registry.name} registry`,
      );
    }
    const all = records.flatMap((record) => record.nodes);
    const nodes = filter ? all.filter(filter) : all;
    if (nodes.length === 0) {
      throw new MicroError(
        ID,
        503,
        filter
          ? `service ${service} has ${all.length} node(s) in the ${registry.name} registry ` +
              "but none this client can use (filtered out, e.g. by transport)"
          : `service ${service} has no nodes in the ${registry.name} registry`,
      );
    }
    byFilter.set(filter ?? ALL, nodes);
    return nodes;
  };

  /** The `Next` of one call over the current records. */
  const nextOf = (
    service: string,
    records: readonly ServiceRecord[],
    filter: NodeFilter | undefined,
  ): Next => {
    const nodes = nodesOf(service, records, filter);
    /** Nodes this call tried already; made on the second pick (a retry) only. */
    let tried: Set<string> | undefined;
    let first: ServiceNode | undefined;
    return () => {
      if (first !== undefined) tried ??= new Set([first.id]);
      let candidates = nodes;
      if (marks.any()) {
        const now = Date.now();
        const healthy = nodes.filter((node) => !marks.isMarked(service, node.id, now));
        // When every node is marked, trying one beats failing without a call.
        if (healthy.length > 0) candidates = healthy;
      }
      const node = pick(service, candidates, tried);
      first ??= node;
      tried?.add(node.id);
      return node;
    };
  };

  return {
    async select(service: string, selectOptions?: { filter?: NodeFilter }): Promise<Next> {
      if (closed) throw new MicroError(ID, 503, "selector is closed");
      return nextOf(service, await cache.get(service), selectOptions?.filter);
    },

    selectCached(service: string, selectOptions?: { filter?: NodeFilter }): Next | undefined {
      const records = closed ? undefined : cache.cached(service);
      return records && nextOf(service, records, selectOptions?.filter);
    },

    mark(service: string, node: ServiceNode, error: unknown): void {
      marks.mark(service, node.id, error);
    },

    async close() {
      closed = true;
      cache.close();
    },
  };
}

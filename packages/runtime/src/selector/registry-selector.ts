import { MicroError } from "../errors/micro-error.js";
import type { Logger } from "../logger/logger.js";
import type { Registry, ServiceNode } from "../registry/registry.js";
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

  const pick = (service: string, candidates: ServiceNode[], tried: Set<string>): ServiceNode => {
    if (strategy === "roundRobin") {
      const position = positions.get(service) ?? Math.floor(Math.random() * candidates.length);
      positions.set(service, (position + 1) % Number.MAX_SAFE_INTEGER);
      return candidates[position % candidates.length] as ServiceNode;
    }
    const untried = candidates.filter((node) => !tried.has(node.id));
    const pool = untried.length > 0 ? untried : candidates;
    return pool[Math.floor(Math.random() * pool.length)] as ServiceNode;
  };

  return {
    async select(service: string, selectOptions?: { filter?: NodeFilter }): Promise<Next> {
      if (closed) throw new MicroError(ID, 503, "selector is closed");
      const records = await cache.get(service);
      if (records.length === 0) {
        throw new MicroError(
          ID,
          404,
          `service ${service} not found in the ${registry.name} registry`,
        );
      }
      const all = records.flatMap((record) => record.nodes);
      const filter = selectOptions?.filter;
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
      const tried = new Set<string>();
      return () => {
        const now = Date.now();
        const healthy = nodes.filter((node) => !marks.isMarked(service, node.id, now));
        // When every node is marked, trying one beats failing without a call.
        const node = pick(service, healthy.length > 0 ? healthy : nodes, tried);
        tried.add(node.id);
        return node;
      };
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

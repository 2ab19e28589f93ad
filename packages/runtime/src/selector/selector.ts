import type { ServiceNode } from "../registry/registry.js";

/** Returns the next node to try for one call; each call gets its own `Next`. */
export type Next = () => ServiceNode;

/** Narrows the nodes a call may use (e.g. to those speaking the client's transport). */
export type NodeFilter = (node: ServiceNode) => boolean;

/**
 * Picks a node for each call and learns from the outcome: a node marked as failing is
 * skipped for a while, unless no healthy node is left.
 */
export interface Selector {
  /** Throws a `MicroError` 404 when the service is unknown, 503 when it has no usable node. */
  select(service: string, options?: { filter?: NodeFilter }): Promise<Next>;
  /**
   * `select` without the promise when the service's nodes are in memory (nearly every
   * call); undefined when they must be looked up, and then the caller uses `select`.
   */
  selectCached?(service: string, options?: { filter?: NodeFilter }): Next | undefined;
  /** Reports the outcome of a call to a node: `undefined` for success, else the error. */
  mark(service: string, node: ServiceNode, error: unknown): void;
  close(): Promise<void>;
}

import type { ListenOptions, Transport, TransportListener } from "../transport.js";
import { createMemoryClient } from "./memory-client.js";
import { type MemoryEndpoint, createMemoryEndpoint } from "./memory-endpoint.js";

/**
 * An in-process transport for tests and single-process setups: no sockets, but the same
 * semantics as the network transports (proto encoding of every message, metadata,
 * deadlines, cancellation, size limits, draining close). Listeners live in a map owned
 * by this instance, so only clients of the same transport reach them and separate
 * instances (parallel tests) never see each other.
 *
 * `listen` keeps an explicit `host:port` address as it is (an address in use is an
 * error); an address with port 0 gets a fresh `memory:<n>` address.
 */
export function createMemoryTransport(): Transport {
  const endpoints = new Map<string, MemoryEndpoint>();
  let sequence = 0;

  function allocate(requested: string): string {
    if (requested === "" || requested.endsWith(":0")) {
      let address: string;
      do address = `memory:${++sequence}`;
      while (endpoints.has(address));
      return address;
    }
    if (endpoints.has(requested)) {
      throw new Error(`memory transport: address ${requested} is already in use`);
    }
    return requested;
  }

  return {
    name: "memory",
    async listen(options: ListenOptions): Promise<TransportListener> {
      if (!Number.isInteger(options.maxMessageBytes) || options.maxMessageBytes <= 0) {
        throw new RangeError(
          `memory transport: maxMessageBytes must be a positive integer, got ${options.maxMessageBytes}`,
        );
      }
      const address = allocate(options.address);
      const endpoint = createMemoryEndpoint({
        address,
        router: options.router,
        maxMessageBytes: options.maxMessageBytes,
        onClosed: () => {
          if (endpoints.get(address) === endpoint) endpoints.delete(address);
        },
      });
      endpoints.set(address, endpoint);
      return { address, close: (timeout: number) => endpoint.close(timeout) };
    },
    client() {
      return createMemoryClient((address) => endpoints.get(address));
    },
  };
}

import { serviceUnavailable } from "../errors/micro-error.js";
import type { Transport, TransportClient } from "./transport.js";

/**
 * A transport loaded on first use, so choosing one by name (`MICRO_TRANSPORT=grpc`)
 * does not make its engine client a hard dependency of every service.
 */
export function createLazyTransport(name: string, load: () => Promise<Transport>): Transport {
  let loading: Promise<Transport> | undefined;
  const get = () => (loading ??= load());
  return {
    name,
    async listen(options) {
      return (await get()).listen(options);
    },
    client(): TransportClient {
      let client: Promise<TransportClient> | undefined;
      const ready = () =>
        (client ??= get().then(
          (transport) => transport.client(),
          (error: unknown) => {
            throw serviceUnavailable(
              "micro.client",
              `the ${name} transport failed to load: ${String(error)}`,
            );
          },
        ));
      return {
        async unary(address, method, request, call) {
          return (await ready()).unary(address, method, request, call);
        },
        stream(address, method, requests, call) {
          return {
            async *[Symbol.asyncIterator]() {
              yield* (await ready()).stream(address, method, requests, call);
            },
          };
        },
        async close() {
          if (client) await (await client).close();
        },
      };
    },
  };
}

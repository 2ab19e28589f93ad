import { serviceUnavailable } from "../errors/micro-error.js";
import type { Registry, RegistryEvent, RegistryWatcher } from "./registry.js";
import { createWatcherFeed } from "./registry-watcher.js";

/**
 * A registry loaded on first use, so choosing one by name (`MICRO_REGISTRY=etcd`) does not
 * make its engine client a hard dependency of every service. A load failure (the optional
 * dependency is missing) rejects every call with its message.
 */
export function createLazyRegistry(name: string, load: () => Promise<Registry>): Registry {
  let loading: Promise<Registry> | undefined;
  let closed = false;
  const get = () =>
    (loading ??= load().catch((error: unknown) => {
      throw serviceUnavailable(
        `micro.registry.${name}`,
        `the ${name} registry failed to load: ${String(error)}`,
      );
    }));
  return {
    name,
    async register(service, options) {
      return (await get()).register(service, options);
    },
    async deregister(service) {
      return (await get()).deregister(service);
    },
    async getService(service) {
      return (await get()).getService(service);
    },
    async listServices() {
      return (await get()).listServices();
    },
    watch(options): RegistryWatcher {
      let inner: RegistryWatcher | undefined;
      const feed = createWatcherFeed(options?.service, () => inner?.stop());
      void get()
        .then(
          async (registry) => {
            if (closed) return feed.stop();
            inner = registry.watch(options);
            for await (const event of inner as AsyncIterable<RegistryEvent>) feed.push(event);
            feed.stop();
          },
          () => feed.stop(),
        )
        .catch(() => feed.stop());
      return feed;
    },
    async close() {
      closed = true;
      if (loading) await (await loading.catch(() => undefined))?.close();
    },
  };
}

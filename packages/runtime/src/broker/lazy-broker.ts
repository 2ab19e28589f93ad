import { serviceUnavailable } from "../errors/micro-error.js";
import type { Broker } from "./broker.js";

/**
 * A broker loaded on first use, so choosing one by name (`MICRO_BROKER=nats`) does not
 * make its engine client a hard dependency of every service.
 */
export function createLazyBroker(name: string, load: () => Promise<Broker>): Broker {
  let loading: Promise<Broker> | undefined;
  const get = () =>
    (loading ??= load().catch((error: unknown) => {
      throw serviceUnavailable(
        `micro.broker.${name}`,
        `the ${name} broker failed to load: ${String(error)}`,
      );
    }));
  return {
    name,
    async connect() {
      await (await get()).connect();
    },
    async disconnect() {
      if (loading) await (await loading.catch(() => undefined))?.disconnect();
    },
    async publish(topic, message) {
      return (await get()).publish(topic, message);
    },
    async flush() {
      await (await get()).flush?.();
    },
    async subscribe(topic, handler, options) {
      return (await get()).subscribe(topic, handler, options);
    },
  };
}

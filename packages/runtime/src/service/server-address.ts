import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";
import type { Transport } from "../transport/transport.js";

/** Network interfaces by name, as `os.networkInterfaces()` returns them. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** What decides where a server listens and which address it registers. */
export interface ServerAddressChoices {
  /** `MICRO_SERVER_ADDRESS` / `MICRO_SERVER_ADVERTISE`: beat everything else. */
  readonly env: { readonly serverAddress?: string; readonly serverAdvertise?: string };
  /** `createService({ address, advertise })`. */
  readonly options: { readonly address?: string; readonly advertise?: string };
  /** Name of the registry the node goes into (`local`, `memory`, `nats`, `etcd`, ...). */
  readonly registry: string;
  /** Name of the transport the server listens on (`http`, `grpc`, `nats`, `memory`, ...). */
  readonly transport: string;
  /** This host's interfaces. Default `os.networkInterfaces()`; tests pass a table. */
  readonly interfaces?: () => InterfaceTable;
}

/** Where to listen, and how the listener's address becomes the registered one. */
export interface ServerAddress {
  /** Listen address handed to the transport. */
  readonly listen: string;
  /** The address to register for the one the listener reports. */
  advertise(listening: string): string;
}

/** Registries whose nodes are only ever called from this machine. */
const MACHINE_LOCAL_REGISTRIES: readonly string[] = ["local", "memory"];
const WILDCARD_HOSTS: readonly string[] = ["", "0.0.0.0", "::", "[::]"];

/**
 * Picks the listen and advertised addresses. With the local or memory registry every
 * caller is on this machine, so a node listens on and registers `127.0.0.1`. With a
 * registry other machines read (nats, etcd) it listens on `0.0.0.0` and registers the
 * first non-internal IPv4 of this host, so replicas on other hosts can call it without
 * setting `MICRO_SERVER_ADVERTISE` by hand. Explicit settings always win; a listener that
 * reports no `host:port` (the NATS transport's subject) is registered as it reports.
 */
export function resolveServerAddress(choices: ServerAddressChoices): ServerAddress {
  const { env, options } = choices;
  const networked =
    !MACHINE_LOCAL_REGISTRIES.includes(choices.registry) && choices.transport !== "memory";
  const listen = env.serverAddress ?? options.address ?? (networked ? "0.0.0.0:0" : "127.0.0.1:0");
  const fixed = env.serverAdvertise ?? options.advertise;
  if (fixed !== undefined) return { listen, advertise: () => fixed };
  if (!networked || !WILDCARD_HOSTS.includes(hostOf(listen) ?? "-")) {
    return { listen, advertise: (listening) => listening };
  }
  return {
    listen,
    advertise(listening) {
      const port = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/.exec(listening)?.[1];
      if (port === undefined) return listening;
      return `${routableHost((choices.interfaces ?? networkInterfaces)())}:${port}`;
    },
  };
}

/** The first non-internal IPv4 address of `interfaces`, else `127.0.0.1`. */
export function routableHost(interfaces: InterfaceTable): string {
  for (const addresses of Object.values(interfaces)) {
    for (const info of addresses ?? []) {
      if (info.family === "IPv4" && !info.internal) return info.address;
    }
  }
  return "127.0.0.1";
}

/**
 * `transport` as the server sees it: its listeners report the address to register, so
 * the advertised port is the one the transport really bound (port 0 picks one).
 */
export function advertisingTransport(
  transport: Transport,
  advertise: (listening: string) => string,
): Transport {
  return {
    name: transport.name,
    async listen(listenOptions) {
      const listener = await transport.listen(listenOptions);
      return {
        address: advertise(listener.address),
        close: (timeout) => listener.close(timeout),
      };
    },
    client: () => transport.client(),
  };
}

function hostOf(address: string): string | undefined {
  return /^(\[[^\]]*\]|[^:]*):\d+$/.exec(address)?.[1];
}

// `@micro-ts/runtime/etcd`: the registry on etcd. Kept out of the main entry so that only
// services using etcd need the `etcd3` client installed.
export { type EtcdRegistryOptions, createEtcdRegistry } from "./etcd-registry.js";

import { LOCAL_BROKER_SERVICE, type ServiceNode, type ServiceRecord } from "@micro-ts/runtime";

/** The web namespace micro's web UI uses: `micro.web.blog` is proxied at `/blog`. */
export const DEFAULT_WEB_NAMESPACE = "micro.web.";

/** One subscription on a topic, as the local broker registers it. */
export interface SubscriptionView {
  readonly id: string;
  /** The subscribing process's broker address. */
  readonly address: string;
  /** Queue group; empty when every subscriber gets every message. */
  readonly queue: string;
}

/** A topic with its live subscriptions. */
export interface TopicView {
  readonly topic: string;
  readonly subscriptions: readonly SubscriptionView[];
}

/** A web app registered under the web namespace, proxied at `/<name>/`. */
export interface WebAppView {
  /** The name without the namespace: the first path segment it is served under. */
  readonly name: string;
  readonly service: string;
  readonly nodes: readonly ServiceNode[];
}

/**
 * What the dashboard page shows, computed on the server so the page only renders: RPC
 * services (one record per name and version), the topics subscribers listen on, and the
 * web apps. The broker's own bookkeeping service is shown as topics, not as a service.
 */
export interface DashboardView {
  readonly services: readonly ServiceRecord[];
  readonly topics: readonly TopicView[];
  readonly webApps: readonly WebAppView[];
}

/** Splits registry records into services, topics and web apps, each sorted by name. */
export function dashboardView(
  records: readonly ServiceRecord[],
  webNamespace: string,
): DashboardView {
  const services: ServiceRecord[] = [];
  const topics = new Map<string, SubscriptionView[]>();
  const webApps = new Map<string, ServiceNode[]>();
  for (const record of records) {
    if (record.name === LOCAL_BROKER_SERVICE) {
      for (const node of record.nodes) {
        const topic = node.metadata["topic"];
        if (topic === undefined) continue;
        const list = topics.get(topic) ?? [];
        list.push({ id: node.id, address: node.address, queue: node.metadata["queue"] ?? "" });
        topics.set(topic, list);
      }
    } else if (record.name.startsWith(webNamespace) && record.name.length > webNamespace.length) {
      const name = record.name.slice(webNamespace.length);
      webApps.set(name, [...(webApps.get(name) ?? []), ...record.nodes]);
    } else {
      services.push(record);
    }
  }
  return {
    services: services.sort(
      (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
    ),
    topics: [...topics]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([topic, subscriptions]) => ({ topic, subscriptions })),
    webApps: [...webApps]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, nodes]) => ({ name, service: `${webNamespace}${name}`, nodes })),
  };
}

import { COMPONENTS, type Component } from "../../config/components";
import type { StackConfig } from "../../config/schema";
import { remoteWriteName } from "../../config/secrets";
import { ALERTMANAGER_CLUSTER_PORT } from "../../render/topology/kubernetes";
import { PORTS, type Topology } from "../../render/topology/types";

/**
 * Every connection the stack needs on Kubernetes, as one table: NetworkPolicies are rendered from
 * it (stacks/kubernetes/network-policies.ts), both directions, and everything not in it is denied.
 * Pure data, no Pulumi: the tests read the same table.
 */

/** Destinations outside the stack's pods. */
export const OUTSIDE = ["dns", "kube-apiserver", "kubelet", "internet"] as const;
export type Outside = (typeof OUTSIDE)[number];

/** Who opens the connection: one of our components, or anyone (users through an Ingress controller, another namespace). */
export type Source = Component | "anyone";
export type Destination = Component | Outside;

export interface Flow {
  from: Source;
  to: Destination;
  port: number;
  protocol: "TCP" | "UDP";
  /** Why the stack needs it (several reasons are joined with "; "). */
  why: string;
}

/** The API server behind `kubernetes.default.svc`: 443 on managed clusters, 6443 on kubeadm-style ones (policies see the endpoint after the Service is resolved). */
const KUBE_API_PORTS = [443, 6443] as const;
/** The kubelet's authenticated port (cAdvisor's /metrics/cadvisor). */
const KUBELET_PORT = 10250;
const DNS_PORT = 53;

export function isOutside(destination: Destination | Source): destination is Outside {
  return (OUTSIDE as readonly string[]).includes(destination);
}

/** The flows the configured stack needs, deduplicated (one row per source, destination, port and protocol) and sorted. */
export function requiredFlows(config: StackConfig, topology: Topology): Flow[] {
  const rows: Flow[] = [];
  const add = (from: Source, to: Destination, port: number, why: string, protocol: Flow["protocol"] = "TCP") => rows.push({ from, to, port, protocol, why });

  for (const published of ["vote", "result", "grafana"] as const) add("anyone", published, PORTS[published], "users, through an Ingress controller or a LoadBalancer Service");

  add("vote", "redis", PORTS.redis, "vote pushes each vote onto the queue");
  add("worker", "redis", PORTS.redis, "worker takes votes from the queue");
  add("worker", "postgres", PORTS.postgres, "worker stores the votes");
  add("result", "postgres", PORTS.postgres, "result reads the tally");
  add("redis-exporter", "redis", PORTS.redis, "redis_exporter reads Redis' state and the queue lengths");
  add("postgres-exporter", "postgres", PORTS.postgres, "postgres_exporter reads Postgres' state");

  for (const component of COMPONENTS) {
    const discovery = topology.scrape[component];
    if (discovery?.kind === "kubernetes-service") add("prometheus", component, PORTS[component], `Prometheus scrapes ${component}`);
  }
  add("prometheus", "alertmanager", PORTS.alertmanager, "Prometheus sends alerts to every Alertmanager replica");
  for (const port of KUBE_API_PORTS) add("prometheus", "kube-apiserver", port, "Prometheus discovers EndpointSlices, Services, pods and nodes");
  add("prometheus", "kubelet", KUBELET_PORT, "Prometheus scrapes each kubelet's cAdvisor (container CPU and memory)");
  for (const entry of config.prometheus.remoteWrite) {
    const url = new URL(entry.url);
    add("prometheus", "internet", portOf(url), `remote write to ${remoteWriteName(entry)} at ${url.host}`);
  }

  // With metricsQueryUrl the datasource reads the long-term store instead of this stack's Prometheus.
  const metricsQueryUrl = config.grafana.metricsQueryUrl === undefined ? undefined : new URL(config.grafana.metricsQueryUrl);
  if (metricsQueryUrl) add("grafana", "internet", portOf(metricsQueryUrl), `Grafana's Prometheus datasource queries the store at ${metricsQueryUrl.host}`);
  else add("grafana", "prometheus", PORTS.prometheus, "Grafana's Prometheus datasource");
  add("grafana", "loki", PORTS.loki, "Grafana's Loki datasource");
  add("grafana", "alertmanager", PORTS.alertmanager, "Grafana's Alertmanager datasource");

  add("alloy", "loki", PORTS.loki, "Alloy pushes the pods' logs");
  const storage = config.loki.storage;
  if (storage.type === "s3") {
    // AWS S3 (found from the region) answers on 443; another store at its endpoint's port.
    const endpoint = storage.endpoint === undefined ? undefined : new URL(storage.endpoint);
    add("loki", "internet", endpoint ? portOf(endpoint) : 443, endpoint ? `Loki's bucket ${storage.bucket} at ${endpoint.host}` : `Loki's bucket ${storage.bucket} on AWS S3 (${storage.region})`);
  }
  for (const port of KUBE_API_PORTS) add("alloy", "kube-apiserver", port, "Alloy discovers pods and reads their logs");

  if (config.kubernetes.alertmanagerReplicas > 1) {
    add("alertmanager", "alertmanager", ALERTMANAGER_CLUSTER_PORT, "Alertmanager replicas gossip silences and the notification log", "TCP");
    add("alertmanager", "alertmanager", ALERTMANAGER_CLUSTER_PORT, "Alertmanager replicas gossip silences and the notification log", "UDP");
  }
  for (const receiver of config.alerting.receivers.filter((r) => r.enabled)) {
    if (receiver.type === "slack") add("alertmanager", "internet", 443, `Slack webhook of receiver ${receiver.name}`);
    else add("alertmanager", "internet", Number(receiver.smarthost.slice(receiver.smarthost.lastIndexOf(":") + 1)), `SMTP server ${receiver.smarthost} of receiver ${receiver.name}`);
  }
  if (config.alerting.deadMansSwitchUrl) {
    const url = new URL(config.alerting.deadMansSwitchUrl);
    add("alertmanager", "internet", portOf(url), `dead man's switch ${url.host}`);
  }

  // Every component that opens connections names its peers by DNS; the others (Redis, Postgres, node-exporter, Loki on its volume) get none.
  const resolving = new Set(rows.flatMap((f) => (f.from !== "anyone" ? [f.from] : [])));
  for (const component of COMPONENTS.filter((c) => resolving.has(c))) {
    add(component, "dns", DNS_PORT, "cluster DNS", "UDP");
    add(component, "dns", DNS_PORT, "cluster DNS", "TCP");
  }
  return dedupe(rows);
}

/** The port a URL connects to: its own, else its scheme's. */
function portOf(url: URL): number {
  return Number(url.port || (url.protocol === "https:" ? 443 : 80));
}

function dedupe(rows: readonly Flow[]): Flow[] {
  const byKey = new Map<string, Flow>();
  for (const row of rows) {
    const key = flowKey(row);
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { ...row });
    else if (!seen.why.split("; ").includes(row.why)) seen.why = `${seen.why}; ${row.why}`;
  }
  return [...byKey.values()].sort((a, b) => (flowKey(a) < flowKey(b) ? -1 : 1));
}

/** "from → to:port/protocol", the identity of a flow. */
export function flowKey(flow: Pick<Flow, "from" | "to" | "port" | "protocol">): string {
  return `${flow.from} → ${flow.to}:${flow.port}/${flow.protocol}`;
}

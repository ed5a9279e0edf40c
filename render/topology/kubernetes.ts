import { APP_SERVICES, type Component } from "../../config/components";
import { APP_DATABASE, APP_SECRET_FILES, CONTAINER_LISTEN, CONTAINER_PATHS, PORTS, type ScrapeDiscovery, type Topology } from "./types";

/** Headless Service of the Alertmanager StatefulSet; gives each replica a stable DNS name. */
export const ALERTMANAGER_PEERS_SERVICE = "alertmanager-peers";
/** Gossip port of the Alertmanager cluster (TCP and UDP). */
export const ALERTMANAGER_CLUSTER_PORT = 9094;

/**
 * Components that need the node itself (node-exporter: host PID and the host's /proc, /sys and /;
 * Alloy: its read positions on a hostPath). Pod Security Admission's `restricted` level refuses
 * both, so they run in a namespace of their own, `<namespace>-node`, labelled `privileged`; the
 * rest of the stack runs in `<namespace>` under `restricted`.
 */
export const NODE_AGENTS: readonly Component[] = ["node-exporter", "alloy"];

/** The namespace of the node agents beside the stack's namespace. */
export function nodeAgentsNamespace(namespace: string): string {
  return `${namespace}-node`;
}

/** The namespace a component runs in. */
export function kubernetesNamespaceOf(namespace: string, component: Component): string {
  return NODE_AGENTS.includes(component) ? nodeAgentsNamespace(namespace) : namespace;
}

/**
 * An existing cluster: our services and exporters are found through Kubernetes service
 * discovery (every replica), containers through the kubelet's cAdvisor, Alertmanager peers
 * through the StatefulSet's headless Service.
 */
export function kubernetesTopology(namespace: string, alertmanagerReplicas: number): Topology {
  const svc = (name: string, ns = namespace) => `${name}.${ns}.svc`;
  const service = (component: Component): ScrapeDiscovery => ({ kind: "kubernetes-service", namespace: kubernetesNamespaceOf(namespace, component), service: component, port: "metrics" });
  const namespaces = [namespace, nodeAgentsNamespace(namespace)];
  const scrape: Partial<Record<Component, ScrapeDiscovery>> = {
    ...Object.fromEntries(APP_SERVICES.map((s) => [s, service(s)])),
    prometheus: { kind: "static", targets: [`localhost:${PORTS.prometheus}`] },
    alertmanager: service("alertmanager"),
    grafana: service("grafana"),
    loki: service("loki"),
    alloy: service("alloy"),
    "redis-exporter": service("redis-exporter"),
    "postgres-exporter": service("postgres-exporter"),
    "node-exporter": service("node-exporter"),
    cadvisor: { kind: "kubelet-cadvisor" },
  };
  return {
    target: "kubernetes",
    scrape,
    urls: {
      prometheus: `http://${svc("prometheus")}:${PORTS.prometheus}`,
      alertmanagers: Array.from({ length: alertmanagerReplicas }, (_, i) => `alertmanager-${i}.${svc(ALERTMANAGER_PEERS_SERVICE)}:${PORTS.alertmanager}`),
      // The ClusterIP Service: any ready replica answers, so one replica down does not blind Grafana.
      alertmanager: `http://${svc("alertmanager")}:${PORTS.alertmanager}`,
      loki: `http://${svc("loki")}:${PORTS.loki}`,
    },
    paths: CONTAINER_PATHS,
    app: { listen: CONTAINER_LISTEN, redis: { host: svc("redis"), port: PORTS.redis }, postgres: { host: svc("postgres"), port: PORTS.postgres, database: APP_DATABASE }, secretFiles: APP_SECRET_FILES },
    logs: { kind: "kubernetes", namespaces },
    containers: { kind: "kubernetes", namespaces },
  };
}

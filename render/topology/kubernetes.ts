import { APP_SERVICES, type Component } from "../../config/components";
import { APP_DATABASE, APP_SECRET_FILES, CONTAINER_LISTEN, CONTAINER_PATHS, PORTS, type ScrapeDiscovery, type Topology } from "./types";

/** Headless Service of the Alertmanager StatefulSet; gives each replica a stable DNS name. */
export const ALERTMANAGER_PEERS_SERVICE = "alertmanager-peers";

/**
 * An existing cluster: our services and exporters are found through Kubernetes service
 * discovery (every replica), containers through the kubelet's cAdvisor, Alertmanager peers
 * through the StatefulSet's headless Service.
 */
export function kubernetesTopology(namespace: string, alertmanagerReplicas: number): Topology {
  const svc = (name: string) => `${name}.${namespace}.svc`;
  const endpoints = (service: Component): ScrapeDiscovery => ({ kind: "kubernetes-endpoints", namespace, service, port: "metrics" });
  const scrape: Partial<Record<Component, ScrapeDiscovery>> = {
    ...Object.fromEntries(APP_SERVICES.map((s) => [s, endpoints(s)])),
    prometheus: { kind: "static", targets: [`localhost:${PORTS.prometheus}`] },
    alertmanager: endpoints("alertmanager"),
    grafana: endpoints("grafana"),
    loki: endpoints("loki"),
    alloy: endpoints("alloy"),
    "redis-exporter": endpoints("redis-exporter"),
    "postgres-exporter": endpoints("postgres-exporter"),
    "node-exporter": endpoints("node-exporter"),
    cadvisor: { kind: "kubelet-cadvisor" },
  };
  return {
    target: "kubernetes",
    scrape,
    urls: {
      prometheus: `http://${svc("prometheus")}:${PORTS.prometheus}`,
      alertmanagers: Array.from({ length: alertmanagerReplicas }, (_, i) => `alertmanager-${i}.${svc(ALERTMANAGER_PEERS_SERVICE)}:${PORTS.alertmanager}`),
      loki: `http://${svc("loki")}:${PORTS.loki}`,
    },
    paths: CONTAINER_PATHS,
    app: { listen: CONTAINER_LISTEN, redis: { host: svc("redis"), port: PORTS.redis }, postgres: { host: svc("postgres"), port: PORTS.postgres, database: APP_DATABASE }, secretFiles: APP_SECRET_FILES },
    logs: { kind: "kubernetes", namespace },
    containers: { kind: "kubernetes", namespace },
  };
}

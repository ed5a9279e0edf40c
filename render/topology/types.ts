import type { AppService, Component } from "../../config/components";

/**
 * How one target places the stack: where each component is reached and where its files live.
 * It is the only thing that differs between the Docker, Kubernetes and local renders.
 */
export interface Topology {
  target: "docker" | "kubernetes" | "local";
  /** How Prometheus finds each component; a component missing here does not run on this target. */
  scrape: Partial<Record<Component, ScrapeDiscovery>>;
  /** Addresses components use to reach each other (inside the target's network). */
  urls: {
    prometheus: string;
    /** host:port of every Alertmanager replica: Prometheus sends each alert to all of them. */
    alertmanagers: string[];
    /**
     * One URL that reaches whichever Alertmanager replica is up (a load-balanced Service), for
     * Grafana's datasource. Defaults to the first of `alertmanagers`.
     */
    alertmanager?: string;
    loki: string;
  };
  /** Where rendered files and secrets sit, as the component sees its file system. */
  paths: {
    prometheusRules: string;
    /** Remote-write passwords and tokens (config/secrets.ts: component "prometheus"). */
    prometheusSecrets: string;
    alertmanagerTemplates: string;
    alertmanagerSecrets: string;
    lokiData: string;
    grafanaDashboards: string;
    grafanaSecrets: string;
  };
  /** How vote, worker and result reach Redis and Postgres, listen, and find their secret files. */
  app: AppAddresses;
  /**
   * Where container logs come from for Alloy. Docker: the Docker API at `host` (the read-only
   * proxy), the containers labelled `voteobs.stack=<stack>` only.
   */
  logs: { kind: "docker"; host: string; stack: string } | { kind: "kubernetes"; namespaces: string[] } | { kind: "none" };
  /**
   * How cAdvisor series say which service a container belongs to. Docker: by its labels, the
   * containers labelled `voteobs.stack=<stack>` only (one engine may run several stacks).
   */
  containers: { kind: "docker-labels"; stack: string } | { kind: "kubernetes"; namespaces: string[] } | { kind: "none" };
}

/** Everything of a target that the app services' environment depends on (render/app-environment.ts). */
export interface AppAddresses {
  /** Address and port each service listens on. */
  listen: { host: string; ports: Record<AppService, number> };
  redis: HostPort;
  postgres: HostPort & { database: string };
  /** The secret files as the services see them. */
  secretFiles: { postgresPassword: string; redisPassword: string };
}

export interface HostPort {
  host: string;
  port: number;
}

export type ScrapeDiscovery =
  | { kind: "static"; targets: string[]; metricsPath?: string }
  /** Every endpoint (EndpointSlice) of the named port of a Service, ready or not: a pod that is not ready still reports its metrics. */
  | { kind: "kubernetes-service"; namespace: string; service: string; port: string; metricsPath?: string }
  | { kind: "kubelet-cadvisor" };

/** The Docker label that names our service on each container (read by cAdvisor and Alloy). */
export const SERVICE_LABEL = "voteobs.service";
/** The same label as cAdvisor exposes it. */
export const CADVISOR_SERVICE_LABEL = "container_label_voteobs_service";
/** The Docker label that names the stack on each container, network and volume: several stacks may share one engine. */
export const STACK_LABEL = "voteobs.stack";
/** The same label as cAdvisor exposes it. */
export const CADVISOR_STACK_LABEL = "container_label_voteobs_stack";
/** Kubernetes label naming the component on every pod. */
export const K8S_NAME_LABEL = "app.kubernetes.io/name";

/** Ports every component listens on inside its container or pod. */
export const PORTS: Record<Component, number> = {
  vote: 8080,
  worker: 8080,
  result: 8080,
  redis: 6379,
  postgres: 5432,
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  loki: 3100,
  alloy: 12345,
  "redis-exporter": 9121,
  "postgres-exporter": 9187,
  "node-exporter": 9100,
  cadvisor: 8080,
  "docker-socket-proxy": 2375,
};

/** The `service` label a scrape job's targets carry: exporters speak for the service they watch. */
export const SCRAPED_SERVICE: Record<Component, string> = {
  vote: "vote",
  worker: "worker",
  result: "result",
  redis: "redis",
  postgres: "postgres",
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  grafana: "grafana",
  loki: "loki",
  alloy: "alloy",
  "redis-exporter": "redis",
  "postgres-exporter": "postgres",
  "node-exporter": "node-exporter",
  cadvisor: "cadvisor",
  "docker-socket-proxy": "docker-socket-proxy",
};

/**
 * Secret files of the app services inside their containers, one folder per secret (a Kubernetes
 * Secret volume owns its mount folder), the same on Docker and Kubernetes.
 */
export const APP_SECRET_FILES: AppAddresses["secretFiles"] = {
  postgresPassword: "/etc/voteobs/secrets/postgres/postgres-password",
  redisPassword: "/etc/voteobs/secrets/redis/redis-password",
};

/** The database the app uses on every target. */
export const APP_DATABASE = "postgres";

/** How the app listens in a container: every interface, its port of PORTS. */
export const CONTAINER_LISTEN: AppAddresses["listen"] = { host: "0.0.0.0", ports: { vote: PORTS.vote, worker: PORTS.worker, result: PORTS.result } };

/**
 * Where the container images of Docker and Kubernetes expect their files. Rendered files live
 * outside the data volumes (/prometheus, /alertmanager, /loki, /var/lib/grafana): a file placed in
 * a volume outlives its removal from the render, and a ConfigMap mounted inside a volume mount
 * depends on the order the kubelet mounts them.
 */
export const CONTAINER_PATHS: Topology["paths"] = {
  prometheusRules: "/etc/prometheus/rules",
  prometheusSecrets: "/etc/prometheus/secrets",
  alertmanagerTemplates: "/etc/alertmanager/templates",
  alertmanagerSecrets: "/etc/alertmanager/secrets",
  lokiData: "/loki",
  grafanaDashboards: "/etc/grafana/dashboards",
  grafanaSecrets: "/etc/grafana/secrets",
};

import { join } from "node:path";
import type { Component } from "../config/components";
import { APP_DATABASE, type ScrapeDiscovery, type Topology } from "../render/topology/types";

/** Components the local target runs as processes on this machine (Debian packages and our services). */
export const LOCAL_COMPONENTS = [
  "vote",
  "worker",
  "result",
  "redis",
  "postgres",
  "prometheus",
  "alertmanager",
  "redis-exporter",
  "postgres-exporter",
  "node-exporter",
] as const satisfies readonly Component[];
export type LocalComponent = (typeof LOCAL_COMPONENTS)[number];

/** Components with no binary here (no Docker, no Grafana/Loki/Alloy packages): not run, not scraped. */
export const ABSENT_COMPONENTS: readonly Component[] = ["grafana", "loki", "alloy", "cadvisor"];

/** Redis and Postgres are watched through their exporters, as on every target. */
const NOT_SCRAPED: readonly LocalComponent[] = ["redis", "postgres"];

/** Port of each local component on 127.0.0.1. */
export type LocalPorts = Record<LocalComponent, number>;

/** Where the local target keeps rendered files, secrets and data, all under one state folder. */
export function localPaths(stateDir: string): Topology["paths"] {
  return {
    prometheusRules: join(stateDir, "prometheus/rules"),
    prometheusSecrets: join(stateDir, "prometheus/secrets"),
    alertmanagerTemplates: join(stateDir, "alertmanager/templates"),
    alertmanagerSecrets: join(stateDir, "alertmanager/secrets"),
    lokiData: join(stateDir, "loki/data"),
    grafanaDashboards: join(stateDir, "grafana/dashboards"),
    grafanaSecrets: join(stateDir, "grafana/secrets"),
  };
}

/**
 * The local target: every component a process on 127.0.0.1 at its own port, files under the
 * state folder. Loki is not run; its URL keeps the conventional port only so that files nobody
 * reads here (Grafana datasources, Alloy) still render.
 */
export function localTopology(ports: LocalPorts, stateDir: string): Topology {
  const scrape: Partial<Record<Component, ScrapeDiscovery>> = {};
  for (const component of LOCAL_COMPONENTS) {
    if (!NOT_SCRAPED.includes(component)) scrape[component] = { kind: "static", targets: [`127.0.0.1:${ports[component]}`] };
  }
  return {
    target: "local",
    scrape,
    urls: {
      prometheus: `http://127.0.0.1:${ports.prometheus}`,
      alertmanagers: [`127.0.0.1:${ports.alertmanager}`],
      loki: "http://127.0.0.1:3100",
    },
    paths: localPaths(stateDir),
    app: {
      listen: { host: "127.0.0.1", ports: { vote: ports.vote, worker: ports.worker, result: ports.result } },
      redis: { host: "127.0.0.1", port: ports.redis },
      postgres: { host: "127.0.0.1", port: ports.postgres, database: APP_DATABASE },
      secretFiles: { postgresPassword: join(stateDir, "secrets", "postgres-password"), redisPassword: join(stateDir, "secrets", "redis-password") },
    },
    logs: { kind: "none" },
    containers: { kind: "none" },
  };
}

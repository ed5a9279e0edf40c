import { COMPONENTS, type Component } from "../../config/components";
import { APP_DATABASE, APP_SECRET_FILES, CONTAINER_LISTEN, CONTAINER_PATHS, PORTS, type ScrapeDiscovery, type Topology } from "./types";

/** Components Prometheus does not scrape directly (the exporters speak for them). */
const NOT_SCRAPED: readonly Component[] = ["redis", "postgres"];

/** One Docker host: every component is a container reached by its network alias. */
export function dockerTopology(): Topology {
  const scrape: Partial<Record<Component, ScrapeDiscovery>> = {};
  for (const component of COMPONENTS) {
    if (!NOT_SCRAPED.includes(component)) scrape[component] = { kind: "static", targets: [`${component}:${PORTS[component]}`] };
  }
  return {
    target: "docker",
    scrape,
    urls: { prometheus: `http://prometheus:${PORTS.prometheus}`, alertmanagers: [`alertmanager:${PORTS.alertmanager}`], loki: `http://loki:${PORTS.loki}` },
    paths: CONTAINER_PATHS,
    app: { listen: CONTAINER_LISTEN, redis: { host: "redis", port: PORTS.redis }, postgres: { host: "postgres", port: PORTS.postgres, database: APP_DATABASE }, secretFiles: APP_SECRET_FILES },
    logs: { kind: "docker", socket: "unix:///var/run/docker.sock" },
    containers: { kind: "docker-labels" },
  };
}

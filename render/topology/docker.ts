import { COMPONENTS, type Component } from "../../config/components";
import { APP_DATABASE, APP_SECRET_FILES, CONTAINER_LISTEN, CONTAINER_PATHS, PORTS, type ScrapeDiscovery, type Topology } from "./types";

/**
 * Components Prometheus does not scrape directly: the exporters speak for Redis and Postgres,
 * and the Docker API proxy has no metrics (cAdvisor still reports its container).
 */
const NOT_SCRAPED: readonly Component[] = ["redis", "postgres", "docker-socket-proxy"];

/** Where Alloy reaches the Docker API: the read-only proxy on the network only the two share. */
export const DOCKER_API_HOST = `tcp://docker-socket-proxy:${PORTS["docker-socket-proxy"]}`;

/**
 * The stack's name as Docker names and labels carry it: lower case letters, digits and dashes,
 * at most 32 characters ("dev" → "dev", "Team/Staging" → "team-staging"). Container, network and
 * volume names start with `voteobs-<label>-`, and every container is labelled `voteobs.stack=<label>`.
 */
export function dockerStackLabel(stack: string): string {
  const label = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32)
    .replace(/-+$/, "");
  return label || "stack";
}

/**
 * One Docker host: every component is a container reached by its network alias. `stack` is the
 * Pulumi stack (its dockerStackLabel is what Alloy and the cAdvisor relabelling keep); it
 * defaults to "dev", the stack generated/dev/ is rendered for.
 */
export function dockerTopology(stack = "dev"): Topology {
  const label = dockerStackLabel(stack);
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
    logs: { kind: "docker", host: DOCKER_API_HOST, stack: label },
    containers: { kind: "docker-labels", stack: label },
  };
}

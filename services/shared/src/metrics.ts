import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { SERVICE_VERSION } from "./version";

export type ServiceName = "vote" | "worker" | "result";
export type Dependency = "redis" | "postgres";

/** The metrics every service exposes, on a registry whose default label is `service`. */
export interface ServiceMetrics {
  registry: Registry;
  dependencyUp: Gauge<"dependency">;
  logShippingDropped: Counter;
}

export function createServiceMetrics(service: ServiceName, dependencies: readonly Dependency[]): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  const buildInfo = new Gauge({
    name: "voteobs_build_info",
    help: "Always 1; labels carry the service version.",
    labelNames: ["version"],
    registers: [registry],
  });
  buildInfo.set({ version: SERVICE_VERSION }, 1);

  const dependencyUp = new Gauge({
    name: "dependency_up",
    help: "1 when the dependency answered its last check or connection event, else 0.",
    labelNames: ["dependency"],
    registers: [registry],
  });
  // Start at 0 so a dependency that never connected is visible as down, not absent.
  for (const dependency of dependencies) dependencyUp.set({ dependency }, 0);

  const logShippingDropped = new Counter({
    name: "log_shipping_dropped_total",
    help: "Log lines not shipped to Loki because the buffer was full or Loki was unreachable past the deadline.",
    registers: [registry],
  });

  return { registry, dependencyUp, logShippingDropped };
}

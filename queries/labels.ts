import { APP_SERVICES } from "../config/components";
import { oneOf } from "./promql";

/**
 * Jobs whose own process metrics describe the service itself (not an exporter standing beside
 * it). Where no cAdvisor runs (the local target), CPU, memory and restarts come from these.
 */
const SELF_INSTRUMENTED = [...APP_SERVICES, "prometheus", "alertmanager", "grafana", "loki", "alloy"] as const;
export const SELF_INSTRUMENTED_JOBS = `~${oneOf(SELF_INSTRUMENTED)}`;

/** cAdvisor series carry `service` only for our containers (see the scrape relabelling). */
export const OUR_CONTAINERS = { service: "!" } as const;

/**
 * Every component the stack runs. The name is also its Prometheus job, its `service` label,
 * its container/workload name and its DNS name on every target.
 */
export const APP_SERVICES = ["vote", "worker", "result"] as const;
const DATA_SERVICES = ["redis", "postgres"] as const;
/** `docker-socket-proxy` runs on Docker only: the read-only Docker API Alloy reads containers and logs through. */
const MONITORING_SERVICES = ["prometheus", "alertmanager", "grafana", "loki", "alloy", "docker-socket-proxy"] as const;
const EXPORTERS = ["redis-exporter", "postgres-exporter", "node-exporter", "cadvisor"] as const;

export type AppService = (typeof APP_SERVICES)[number];
export type DataService = (typeof DATA_SERVICES)[number];
export type MonitoringService = (typeof MONITORING_SERVICES)[number];
export type Exporter = (typeof EXPORTERS)[number];
export type Component = AppService | DataService | MonitoringService | Exporter;

export const COMPONENTS: readonly Component[] = [...APP_SERVICES, ...DATA_SERVICES, ...MONITORING_SERVICES, ...EXPORTERS];

/** Third-party components whose image is pulled (ours are built from services/). */
export type ThirdParty = DataService | MonitoringService | Exporter;
export const THIRD_PARTY: readonly ThirdParty[] = [...DATA_SERVICES, ...MONITORING_SERVICES, ...EXPORTERS];

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

import type { StackConfig } from "../config/schema";
import type { Topology } from "./topology/types";

/**
 * Prometheus replicas on Kubernetes (`kubernetes.prometheusReplicas`): every replica scrapes every
 * target, adds `replica: <its pod name>` to what it sends out, and drops that label from its alerts
 * again, so Alertmanager sees the same alert from each replica and notifies once. Everything the
 * StatefulSet needs is here, as plain data.
 */

/** The external label that tells replicas apart in the long-term store. */
export const REPLICA_LABEL = "replica";
/** Environment variable holding the pod name (downward API), which prometheus.yml expands. */
export const POD_NAME_ENV = "POD_NAME";

/** How many Prometheus replicas this render is for: 1 except on Kubernetes. */
function prometheusReplicaCount(config: StackConfig, topology: Pick<Topology, "target">): number {
  return topology.target === "kubernetes" ? config.kubernetes.prometheusReplicas : 1;
}

/**
 * `global.external_labels`: the configured labels, and `replica: ${POD_NAME}` with two or more
 * replicas. Prometheus 3 expands `${VAR}` in external label values from its environment (always
 * on since 3.0: config.Load, docs/configuration/configuration.md); Kubernetes' own `$(VAR)` syntax
 * works only in a container's args and env, not in a mounted file, so it must not be used here.
 * A `$` of a configured value is doubled, so it is sent as written.
 */
export function externalLabels(config: StackConfig, topology: Pick<Topology, "target">): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.prometheus.externalLabels)) labels[name] = value.replace(/\$/g, "$$$$");
  if (prometheusReplicaCount(config, topology) > 1) labels[REPLICA_LABEL] = `\${${POD_NAME_ENV}}`;
  return Object.keys(labels).length > 0 ? labels : undefined;
}

/**
 * `alerting.alert_relabel_configs`: without the replica label the alerts of all replicas are the
 * same alert to Alertmanager (it deduplicates on the whole label set), as kube-prometheus does.
 */
export function alertRelabelConfigs(config: StackConfig, topology: Pick<Topology, "target">): Record<string, unknown>[] | undefined {
  return prometheusReplicaCount(config, topology) > 1 ? [{ regex: REPLICA_LABEL, action: "labeldrop" }] : undefined;
}

/** A Kubernetes EnvVar, as the container spec takes it. */
export interface PodEnvVar {
  name: string;
  valueFrom: { fieldRef: { fieldPath: string } };
}

/** The Prometheus container's environment: the pod name, when external_labels names it. */
export function prometheusPodEnv(config: StackConfig): PodEnvVar[] {
  return prometheusReplicaCount(config, { target: "kubernetes" }) > 1 ? [{ name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] : [];
}

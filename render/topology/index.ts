export * from "./docker";
export * from "./kubernetes";
export * from "./types";

import type { StackConfig } from "../../config/schema";
import { dockerTopology } from "./docker";
import { kubernetesTopology } from "./kubernetes";
import type { Topology } from "./types";

/**
 * The topology of a deployed target, from the stack config and the Pulumi stack's name (the
 * Docker target scopes Alloy and cAdvisor to the containers of its own stack; Kubernetes scopes
 * by namespace).
 */
export function topologyFor(config: StackConfig, stack: string): Topology {
  return config.target === "kubernetes" ? kubernetesTopology(config.kubernetes.namespace, config.kubernetes.alertmanagerReplicas) : dockerTopology(stack);
}

export * from "./docker";
export * from "./kubernetes";
export * from "./types";

import type { StackConfig } from "../../config/schema";
import { dockerTopology } from "./docker";
import { kubernetesTopology } from "./kubernetes";
import type { Topology } from "./types";

/** The topology of a deployed target, from the stack config. */
export function topologyFor(config: StackConfig): Topology {
  return config.target === "kubernetes" ? kubernetesTopology(config.kubernetes.namespace, config.kubernetes.alertmanagerReplicas) : dockerTopology();
}

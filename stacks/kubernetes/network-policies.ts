import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS, type Component } from "../../config/components";
import { PORTS } from "../../render/topology/types";
import { ArgChecker, PART_OF } from "../common";
import { CLUSTER_PORT } from "./alertmanager";
import { labelsFor, selectorFor } from "./workload";

/** Who may open a connection to a component: other components of the namespace, or anyone. */
export interface IngressRule {
  /** Source components, or "anyone" (users, an Ingress controller in another namespace). */
  from: Component[] | "anyone";
  ports: Array<{ port: number; protocol?: "TCP" | "UDP" }>;
}

const tcp = (port: number) => ({ port });

/**
 * The traffic the stack needs, and nothing more: every other connection into the namespace's
 * pods is refused by the default-deny policy. Egress stays open (Alertmanager reaches Slack and
 * SMTP, Prometheus the kubelets and the API server).
 */
export const INGRESS: Partial<Record<Component, IngressRule[]>> = {
  vote: [{ from: "anyone", ports: [tcp(PORTS.vote)] }],
  result: [{ from: "anyone", ports: [tcp(PORTS.result)] }],
  worker: [{ from: ["prometheus"], ports: [tcp(PORTS.worker)] }],
  redis: [{ from: ["vote", "worker", "redis-exporter"], ports: [tcp(PORTS.redis)] }],
  postgres: [{ from: ["worker", "result", "postgres-exporter"], ports: [tcp(PORTS.postgres)] }],
  prometheus: [{ from: ["grafana"], ports: [tcp(PORTS.prometheus)] }],
  alertmanager: [
    { from: ["prometheus", "grafana"], ports: [tcp(PORTS.alertmanager)] },
    { from: ["alertmanager"], ports: [tcp(PORTS.alertmanager), tcp(CLUSTER_PORT), { port: CLUSTER_PORT, protocol: "UDP" }] },
  ],
  grafana: [{ from: "anyone", ports: [tcp(PORTS.grafana)] }],
  loki: [{ from: ["alloy", "grafana", "prometheus"], ports: [tcp(PORTS.loki)] }],
  alloy: [{ from: ["prometheus"], ports: [tcp(PORTS.alloy)] }],
  "redis-exporter": [{ from: ["prometheus"], ports: [tcp(PORTS["redis-exporter"])] }],
  "postgres-exporter": [{ from: ["prometheus"], ports: [tcp(PORTS["postgres-exporter"])] }],
  "node-exporter": [{ from: ["prometheus"], ports: [tcp(PORTS["node-exporter"])] }],
};

export interface NetworkPoliciesArgs {
  namespace: pulumi.Input<string>;
  /** Components that run in the namespace; each gets its ingress policy. */
  components: Component[];
  /** Allowed connections per component. Defaults to INGRESS. */
  ingress?: Partial<Record<Component, IngressRule[]>>;
}

/** A default-deny ingress policy for the namespace plus one policy per component allowing what it must accept. */
export class NetworkPolicies extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:NetworkPolicies";

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NetworkPolicies.TYPE, name, {}, opts);
    const check = new ArgChecker(this, NetworkPolicies.TYPE, name);
    check.required(args.namespace, "namespace");
    check.nonEmpty(args.components, "components", "component");
    for (const component of args.components) check.check(COMPONENTS.includes(component), "components", `${JSON.stringify(component)} is not a component; components are ${COMPONENTS.join(", ")}`);
    const ingress = args.ingress ?? INGRESS;
    for (const component of args.components) check.check(ingress[component] !== undefined, `ingress["${component}"]`, "is missing: every component must say who may connect to it");

    const ns = args.namespace;
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      { metadata: { name: "default-deny-ingress", namespace: ns, labels: { "app.kubernetes.io/part-of": PART_OF } }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
      { parent: this },
    );
    for (const component of args.components) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${component}`,
        {
          metadata: { name: `allow-${component}`, namespace: ns, labels: labelsFor(component) },
          spec: {
            podSelector: { matchLabels: selectorFor(component) },
            policyTypes: ["Ingress"],
            ingress: (ingress[component] ?? []).map((rule) => ({
              ...(rule.from === "anyone" ? {} : { from: rule.from.map((source) => ({ podSelector: { matchLabels: selectorFor(source) } })) }),
              ports: rule.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })),
            })),
          },
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

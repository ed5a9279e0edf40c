import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS, type Component } from "../../config/components";
import { ArgChecker, PART_OF } from "../common";
import { isOutside, type Destination, type Flow, type Outside } from "./flows";
import { labelsFor, selectorFor } from "./workload";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

/** The label every namespace carries with its own name (Kubernetes sets it), for cross-namespace selectors. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Where an outside destination is. DNS: anywhere (CoreDNS pods, or a node-local cache on a
 * link-local address). The API server, the kubelets and the internet: any IP address (their
 * addresses differ per cluster; a platform team narrows them with its own policy or its CNI's
 * entities, see docs/deploy.md), always on the flow's ports only.
 */
const OUTSIDE_PEERS: Record<Outside, Peer[] | undefined> = {
  dns: undefined,
  "kube-apiserver": [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
  kubelet: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
  internet: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
};

export interface NetworkPoliciesArgs {
  /** The namespace (its name) each running component is in; each gets its policy, each namespace a default deny. */
  placement: Partial<Record<Component, string>>;
  /** Every connection allowed (stacks/kubernetes/flows.ts requiredFlows); everything else is denied, both ways. */
  flows: readonly Flow[];
}

/**
 * A default-deny policy (ingress and egress) per namespace plus one policy per component allowing
 * exactly the flows it is a party to: what it accepts (ingress) and what it opens (egress).
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:NetworkPolicies";

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NetworkPolicies.TYPE, name, {}, opts);
    const check = new ArgChecker(this, NetworkPolicies.TYPE, name);
    const placed = Object.keys(args.placement ?? {}) as Component[];
    check.check(placed.length > 0, "placement", "must place at least one component");
    for (const component of placed) check.check(COMPONENTS.includes(component), "placement", `${JSON.stringify(component)} is not a component; components are ${COMPONENTS.join(", ")}`);
    check.check(Array.isArray(args.flows), "flows", "is required: requiredFlows(config, topology)");
    args.flows.forEach((flow, i) => {
      for (const end of ["from", "to"] as const) {
        const party = flow[end];
        if (party === "anyone" || isOutside(party)) continue;
        check.check(args.placement[party] !== undefined, `flows[${i}].${end}`, `${JSON.stringify(party)} does not run here (placement names ${placed.join(", ")})`);
      }
      check.check(Number.isInteger(flow.port) && flow.port >= 1 && flow.port <= 65535, `flows[${i}].port`, `${flow.port} is not a port`);
    });

    const placement = args.placement as Record<Component, string>;
    for (const namespace of [...new Set(Object.values(placement))].sort()) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-default-deny-${namespace}`,
        { metadata: { name: "default-deny", namespace, labels: { "app.kubernetes.io/part-of": PART_OF } }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
        { parent: this },
      );
    }

    const peerOf = (component: Component, policyNamespace: string): Peer =>
      placement[component] === policyNamespace ? { podSelector: { matchLabels: selectorFor(component) } } : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: placement[component] } }, podSelector: { matchLabels: selectorFor(component) } };
    const portsOf = (flows: readonly Flow[]): Port[] => flows.map((f) => ({ port: f.port, protocol: f.protocol }));

    for (const component of placed) {
      const namespace = placement[component];
      const incoming = groupBy(args.flows.filter((f) => f.to === component), (f) => f.from);
      const outgoing = groupBy(args.flows.filter((f) => f.from === component), (f) => f.to);
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${component}`,
        {
          metadata: { name: `allow-${component}`, namespace, labels: labelsFor(component) },
          spec: {
            podSelector: { matchLabels: selectorFor(component) },
            policyTypes: ["Ingress", "Egress"],
            ingress: [...incoming].map(([from, flows]) => ({ ...(from === "anyone" ? {} : { from: [peerOf(from as Component, namespace)] }), ports: portsOf(flows) })),
            egress: [...outgoing].map(([to, flows]) => {
              const peers = isOutside(to as Destination) ? OUTSIDE_PEERS[to as Outside] : [peerOf(to as Component, namespace)];
              return { ...(peers ? { to: peers } : {}), ports: portsOf(flows) };
            }),
          },
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

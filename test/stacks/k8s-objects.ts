/**
 * Reading the Kubernetes objects of a mocked resource graph, and two checks that only the graph
 * can answer: what the NetworkPolicies let through (evaluated as the NetworkPolicy API defines
 * it) and whether a pod meets the `restricted` Pod Security Standard.
 */
import assert from "node:assert/strict";
import type { Component } from "../../config/components";
import { K8S_NAME_LABEL } from "../../render/topology/types";
import { autoName, reveal, type Graph } from "./harness";

export const WORKLOAD_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"];

export type Probe = { httpGet?: { path: string; port: number }; exec?: { command: string[] }; tcpSocket?: { port: number }; initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number; timeoutSeconds?: number };
export type SecurityContext = {
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  privileged?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type: string };
};
export type K8sContainer = {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args?: string[];
  command?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports?: Array<{ name?: string; containerPort: number; hostPort?: number; protocol?: string }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: unknown } };
  resources?: { limits?: { cpu?: string; memory?: string } };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
};
export type K8sVolume = { name: string; configMap?: { name: string }; secret?: { secretName: string; items?: Array<{ key: string; path: string }> }; hostPath?: { path: string; type?: string }; emptyDir?: unknown };
export type PodSpec = {
  containers: K8sContainer[];
  initContainers?: K8sContainer[];
  volumes?: K8sVolume[];
  securityContext?: SecurityContext;
  restartPolicy?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  terminationGracePeriodSeconds?: number;
  tolerations?: unknown[];
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: unknown[] } };
  topologySpreadConstraints?: Array<{ maxSkew: number; topologyKey: string; whenUnsatisfiable: string; labelSelector: { matchLabels: Record<string, string> }; matchLabelKeys?: string[] }>;
  serviceAccountName?: string;
};
export type Workload = {
  metadata: { name: string; namespace: string };
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    volumeClaimTemplates?: Array<{ spec: { resources: { requests: { storage: string } } } }>;
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
};
export type Service = { metadata: { name: string; namespace: string }; spec: { type?: string; clusterIP?: string; publishNotReadyAddresses?: boolean; selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: number; protocol?: string }> } };

export const workloads = (graph: Graph) => graph.resources.filter((r) => WORKLOAD_TYPES.includes(r.type)).map((r) => ({ record: r, spec: reveal<Workload>(r.inputs) }));
export const workloadOf = (graph: Graph, component: Component) => {
  const found = workloads(graph).find((w) => w.spec.metadata.name === component);
  assert.ok(found, `no workload ${component}`);
  return found;
};
export const containerOf = (graph: Graph, component: Component): K8sContainer => workloadOf(graph, component).spec.spec.template.spec.containers[0];
export const podOf = (graph: Graph, component: Component): PodSpec => workloadOf(graph, component).spec.spec.template.spec;
export const services = (graph: Graph) => graph.ofType("kubernetes:core/v1:Service").map((r) => reveal<Service>(r.inputs));
export const envOf = (container: K8sContainer): Record<string, string> => Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));

/** Every object of a kind, as the provider sends it (auto-named ones with the mock's name). */
export function objectsOfType<T>(graph: Graph, type: string): T[] {
  return graph.ofType(type).map((r) => {
    const object = reveal<{ metadata?: { name?: string } }>(r.inputs);
    return { ...object, metadata: { ...object.metadata, name: object.metadata?.name ?? autoName(r.name) } } as T;
  });
}

/** The Service named `name` in `namespace`, and the component its selector picks. */
export function serviceNamed(graph: Graph, name: string, namespace: string): { service: Service; component: Component } {
  const service = services(graph).find((s) => s.metadata.name === name && s.metadata.namespace === namespace);
  assert.ok(service, `no Service ${namespace}/${name}`);
  return { service, component: service.spec.selector[K8S_NAME_LABEL] as Component };
}

// --- NetworkPolicy semantics -------------------------------------------------------------------

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } };
type PolicyPort = { port?: number | string; protocol?: string; endPort?: number };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: PolicyPort[] };
export type NetworkPolicy = { metadata: { name: string; namespace: string }; spec: { podSelector: Selector; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] } };

/** One end of a connection: a pod (its namespace and labels) or an address outside every pod network. */
export type End = { pod: { namespace: string; labels: Record<string, string> } } | { ip: string };

export interface Cluster {
  policies: NetworkPolicy[];
  /** Labels of every namespace, `kubernetes.io/metadata.name` included (the API server sets it). */
  namespaceLabels: Map<string, Record<string, string>>;
}

function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  assert.equal(selector?.matchExpressions, undefined, "the evaluator reads matchLabels only");
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function inCidr(ip: string, cidr: string): boolean {
  // The stack only writes the all-addresses blocks; anything else would need a real matcher.
  assert.ok(cidr === "0.0.0.0/0" || cidr === "::/0", `the evaluator knows 0.0.0.0/0 and ::/0 only, not ${cidr}`);
  return cidr === "0.0.0.0/0" ? !ip.includes(":") : ip.includes(":");
}

/**
 * Whether a peer matches an end. An ipBlock is taken to match pod addresses too (Calico and
 * Cilium do; the API leaves it to the plugin), so a rule to "any address" is never assumed to
 * spare our pods.
 */
function peerMatches(peer: Peer, policyNamespace: string, end: End, cluster: Cluster): boolean {
  if (peer.ipBlock) {
    const ip = "ip" in end ? end.ip : "10.244.0.10";
    return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).length;
  }
  if (!("pod" in end)) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, cluster.namespaceLabels.get(end.pod.namespace) ?? { "kubernetes.io/metadata.name": end.pod.namespace }) : end.pod.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? selects(peer.podSelector, end.pod.labels) : true);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((p) => {
    assert.equal(typeof p.port, "number", "the stack names ports by number");
    return p.port === port && (p.protocol ?? "TCP") === protocol && p.endPort === undefined;
  });
}

/** Whether `direction` policies of the pod's namespace let this connection through at the pod. */
function allowedAt(direction: "Ingress" | "Egress", cluster: Cluster, pod: { namespace: string; labels: Record<string, string> }, other: End, port: number, protocol: string): boolean {
  const applying = cluster.policies.filter((p) => p.metadata.namespace === pod.namespace && p.spec.policyTypes.includes(direction) && selects(p.spec.podSelector, pod.labels));
  if (applying.length === 0) return true; // not isolated in this direction
  return applying.some((p) =>
    (direction === "Ingress" ? p.spec.ingress : p.spec.egress)?.some((rule) => {
      const peers = direction === "Ingress" ? rule.from : rule.to;
      return (peers === undefined || peers.some((peer) => peerMatches(peer, p.metadata.namespace, other, cluster))) && portMatches(rule.ports, port, protocol);
    }),
  );
}

/** Whether a connection from `source` to `destination:port/protocol` is let through: egress at the source and ingress at the destination. */
export function connectionAllowed(cluster: Cluster, source: End, destination: End, port: number, protocol: string): boolean {
  const out = "pod" in source ? allowedAt("Egress", cluster, source.pod, destination, port, protocol) : true;
  const into = "pod" in destination ? allowedAt("Ingress", cluster, destination.pod, source, port, protocol) : true;
  return out && into;
}

// --- Pod Security Standards ------------------------------------------------------------------

/** Volume types the `restricted` level allows. */
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/**
 * What keeps a pod from the `restricted` Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards,
 * the baseline controls included): the list of violations, empty when it complies.
 */
export function restrictedViolations(pod: PodSpec): string[] {
  const problems: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push("host namespaces");
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== "name");
    if (!type || !RESTRICTED_VOLUMES.includes(type)) problems.push(`volume ${volume.name} is ${type}`);
  }
  const podContext = pod.securityContext ?? {};
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) problems.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation is not false`);
    const nonRoot = sc.runAsNonRoot ?? podContext.runAsNonRoot;
    if (nonRoot !== true) problems.push(`${c.name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${c.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${c.name}: seccomp ${seccomp}`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${c.name}: capabilities not dropped`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") problems.push(`${c.name}: adds ${cap}`);
    for (const port of c.ports ?? []) if (port.hostPort) problems.push(`${c.name}: host port ${port.hostPort}`);
  }
  return problems;
}

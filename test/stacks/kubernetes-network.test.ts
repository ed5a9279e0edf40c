// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { buildGraph, loadStack, reveal, type Graph } from "./harness";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import type { Component } from "../../config/components";
import type { StackConfig } from "../../config/schema";
import { kubernetesTopology } from "../../render/topology";
import { K8S_NAME_LABEL } from "../../render/topology/types";
import { flowKey, isOutside, OUTSIDE, requiredFlows, type Flow } from "../../stacks/kubernetes/flows";
import { connectionAllowed, containerOf, envOf, objectsOfType, serviceNamed, workloads, type Cluster, type End, type NetworkPolicy } from "./k8s-objects";
import { scaledOverlay, writeTokenFile } from "./scaled";

/**
 * Issue 12 points 4 and 13: the back tier is segmented and egress is denied by default. The
 * required flows are one table (stacks/kubernetes/flows.ts); these tests evaluate the rendered
 * NetworkPolicies as the API defines them and check both directions: every flow of the table is
 * let through, and nothing else is, between every pair of pods and to the outside.
 */

const NS = "voteobs";
const PORTS_PROMETHEUS = 9090;
const NODE_NS = "voteobs-node";

let graph: Graph;
let config: StackConfig;
let flows: Flow[];
let cluster: Cluster;
/** A pod of each of our components. */
let pods: Map<Component, End>;

/** Ends outside the stack: an Ingress controller's pod, CoreDNS, and an address on the internet. */
const INGRESS_CONTROLLER: End = { pod: { namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" } } };
const COREDNS: End = { pod: { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } } };
const INTERNET: End = { ip: "203.0.113.7" };

/** The NetworkPolicies and namespaces of a graph, and a pod of each component. */
function clusterOf(graph: Graph): { cluster: Cluster; pods: Map<Component, End> } {
  const namespaceLabels = new Map<string, Record<string, string>>(
    graph.ofType("kubernetes:core/v1:Namespace").map((r) => {
      const { metadata } = reveal<{ metadata: { name: string; labels: Record<string, string> } }>(r.inputs);
      return [metadata.name, { ...metadata.labels, "kubernetes.io/metadata.name": metadata.name }];
    }),
  );
  return {
    cluster: { policies: objectsOfType<NetworkPolicy>(graph, "kubernetes:networking.k8s.io/v1:NetworkPolicy"), namespaceLabels },
    pods: new Map(workloads(graph).map((w) => [w.spec.metadata.name as Component, { pod: { namespace: w.spec.metadata.namespace, labels: w.spec.spec.template.metadata.labels } }])),
  };
}

before(async () => {
  const loaded = loadStack("k8s", { alerting: { deadMansSwitchUrl: "https://hc-ping.example.com/abc" } });
  config = loaded.config;
  graph = await buildGraph(config, loaded.secrets);
  flows = requiredFlows(config, kubernetesTopology(NS, config.kubernetes.alertmanagerReplicas));
  ({ cluster, pods } = clusterOf(graph));
});

/** The required flows the policies block. */
function blockedFlows(cluster: Cluster, pods: Map<Component, End>, flows: readonly Flow[]): string[] {
  const destination = (to: Flow["to"]): End => (to === "dns" ? COREDNS : isOutside(to) ? INTERNET : pods.get(to)!);
  const source = (from: Flow["from"]): End => (from === "anyone" ? INGRESS_CONTROLLER : pods.get(from)!);
  return flows.filter((flow) => !connectionAllowed(cluster, source(flow.from), destination(flow.to), flow.port, flow.protocol)).map((flow) => `${flowKey(flow)} (${flow.why}) is blocked`);
}

/**
 * Every connection the policies decide differently from the table: between every pair of pods,
 * from outside and to the outside, on every port the stack knows (and a few more), both protocols.
 */
function unexpectedConnections(graph: Graph, cluster: Cluster, pods: Map<Component, End>, flows: readonly Flow[]): { checked: number; unexpected: string[] } {
  const ports = new Set<number>([22, 80, 443, 8443, 9000, ...flows.map((f) => f.port)]);
  for (const w of workloads(graph)) for (const c of w.spec.spec.template.spec.containers) for (const p of c.ports ?? []) ports.add(p.containerPort);
  const sources: Array<[string, End]> = [["anyone", INGRESS_CONTROLLER], ...[...pods].map(([c, end]) => [c, end] as [string, End])];
  const destinations: Array<[string, End, (f: Flow) => boolean]> = [
    ...[...pods].map(([c, end]) => [c, end, (f: Flow) => f.to === c] as [string, End, (f: Flow) => boolean]),
    // Outside the stack, any address a flow to the outside allows (0.0.0.0/0 on its ports; DNS anywhere on 53).
    ["coredns", COREDNS, (f: Flow) => (OUTSIDE as readonly string[]).includes(f.to)],
    ["internet", INTERNET, (f: Flow) => (OUTSIDE as readonly string[]).includes(f.to)],
  ];
  let checked = 0;
  const unexpected: string[] = [];
  for (const [from, src] of sources) {
    for (const [to, dst, matches] of destinations) {
      if (from === "anyone" && !("pod" in dst && [NS, NODE_NS].includes(dst.pod.namespace))) continue; // not our policies
      for (const port of ports) {
        for (const protocol of ["TCP", "UDP"]) {
          checked++;
          const expected = flows.some((f) => f.from === from && matches(f) && f.port === port && f.protocol === protocol);
          if (connectionAllowed(cluster, src, dst, port, protocol) !== expected) unexpected.push(`${from} → ${to}:${port}/${protocol} is ${expected ? "blocked" : "allowed"}`);
        }
      }
    }
  }
  return { checked, unexpected };
}

const has = (from: string, to: string, port: number, protocol = "TCP") => flows.some((f) => flowKey(f) === flowKey({ from: from as Flow["from"], to: to as Flow["to"], port, protocol: protocol as Flow["protocol"] }));

describe("the flows the stack needs", () => {
  it("are exactly these for Pulumi.k8s.yaml (a change to the table shows here)", () => {
    const plain = loadStack("k8s").config;
    assert.deepEqual(requiredFlows(plain, kubernetesTopology(NS, plain.kubernetes.alertmanagerReplicas)).map(flowKey), [
      "alertmanager → alertmanager:9094/TCP",
      "alertmanager → alertmanager:9094/UDP",
      "alertmanager → dns:53/TCP",
      "alertmanager → dns:53/UDP",
      "alertmanager → internet:443/TCP",
      "alloy → dns:53/TCP",
      "alloy → dns:53/UDP",
      "alloy → kube-apiserver:443/TCP",
      "alloy → kube-apiserver:6443/TCP",
      "alloy → loki:3100/TCP",
      "anyone → grafana:3000/TCP",
      "anyone → result:8080/TCP",
      "anyone → vote:8080/TCP",
      "grafana → alertmanager:9093/TCP",
      "grafana → dns:53/TCP",
      "grafana → dns:53/UDP",
      "grafana → loki:3100/TCP",
      "grafana → prometheus:9090/TCP",
      "postgres-exporter → dns:53/TCP",
      "postgres-exporter → dns:53/UDP",
      "postgres-exporter → postgres:5432/TCP",
      "prometheus → alertmanager:9093/TCP",
      "prometheus → alloy:12345/TCP",
      "prometheus → dns:53/TCP",
      "prometheus → dns:53/UDP",
      "prometheus → grafana:3000/TCP",
      "prometheus → kube-apiserver:443/TCP",
      "prometheus → kube-apiserver:6443/TCP",
      "prometheus → kubelet:10250/TCP",
      "prometheus → loki:3100/TCP",
      "prometheus → node-exporter:9100/TCP",
      "prometheus → postgres-exporter:9187/TCP",
      "prometheus → redis-exporter:9121/TCP",
      "prometheus → result:8080/TCP",
      "prometheus → vote:8080/TCP",
      "prometheus → worker:8080/TCP",
      "redis-exporter → dns:53/TCP",
      "redis-exporter → dns:53/UDP",
      "redis-exporter → redis:6379/TCP",
      "result → dns:53/TCP",
      "result → dns:53/UDP",
      "result → postgres:5432/TCP",
      "vote → dns:53/TCP",
      "vote → dns:53/UDP",
      "vote → redis:6379/TCP",
      "worker → dns:53/TCP",
      "worker → dns:53/UDP",
      "worker → postgres:5432/TCP",
      "worker → redis:6379/TCP",
    ]);
  });

  it("segment the back tier: vote reaches only Redis, result only Postgres, worker both", () => {
    const dataFlows = (from: Component) => flows.filter((f) => f.from === from && !isOutside(f.to)).map((f) => `${f.to}:${f.port}`).sort();
    assert.deepEqual(dataFlows("vote"), ["redis:6379"]);
    assert.deepEqual(dataFlows("result"), ["postgres:5432"]);
    assert.deepEqual(dataFlows("worker"), ["postgres:5432", "redis:6379"]);
    assert.deepEqual(flows.filter((f) => f.to === "redis").map((f) => f.from).sort(), ["redis-exporter", "vote", "worker"]);
    assert.deepEqual(flows.filter((f) => f.to === "postgres").map((f) => f.from).sort(), ["postgres-exporter", "result", "worker"]);
  });

  it("let Alertmanager reach Slack on 443, the SMTP server and the dead man's switch on their ports, and nothing else outside", () => {
    const outside = flows.filter((f) => f.from === "alertmanager" && f.to === "internet").map((f) => f.port);
    assert.deepEqual(outside, [443], "Slack and https://hc-ping.example.com share 443");
    const email = requiredFlows({ ...config, alerting: { ...config.alerting, receivers: [...config.alerting.receivers, { type: "email", name: "mail", enabled: true, to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", requireTls: true, severities: ["critical"], matchers: {}, sendResolved: true }] } }, kubernetesTopology(NS, 3));
    assert.ok(email.some((f) => f.from === "alertmanager" && f.to === "internet" && f.port === 587), "the smarthost's port");
    for (const f of flows.filter((f) => f.to === "internet")) assert.equal(f.from, "alertmanager", `${flowKey(f)}: only Alertmanager talks to the internet`);
  });

  it("give DNS only to the components that name their peers", () => {
    const resolving = [...new Set(flows.filter((f) => f.to === "dns").map((f) => f.from))].sort();
    assert.deepEqual(resolving, ["alertmanager", "alloy", "grafana", "postgres-exporter", "prometheus", "redis-exporter", "result", "vote", "worker"]);
  });

  it("cover every connection the rendered configs and the containers' environment make", () => {
    const files = (path: string) => graph.ofType("kubernetes:core/v1:ConfigMap").map((r) => reveal<{ data: Record<string, string> }>(r.inputs).data[path]).find((t) => t !== undefined)!;
    const needed: Array<[Component, string, number]> = [];
    const byHost = (from: Component, host: string, port: number) => {
      const [service, namespace] = host.split(".");
      const { service: svc, component } = serviceNamed(graph, service, namespace);
      needed.push([from, component, svc.spec.ports.find((p) => p.port === port)!.targetPort]);
    };
    const url = (from: Component, text: string) => {
      const u = new URL(text);
      byHost(from, u.hostname, Number(u.port));
    };
    const prometheus = parseYaml(files("prometheus.yml")) as { alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> } };
    for (const target of prometheus.alerting.alertmanagers[0].static_configs[0].targets) {
      const [host, port] = target.split(":");
      byHost("prometheus", host.split(".").slice(1).join("."), Number(port));
    }
    for (const ds of (parseYaml(files("voteobs.yaml")) as { datasources: Array<{ url: string }> }).datasources) url("grafana", ds.url);
    url("alloy", /url = "([^"]+)"/.exec(files("config.alloy"))![1]);
    for (const component of ["vote", "worker", "result"] as const) {
      const env = envOf(containerOf(graph, component));
      if (env.REDIS_URL) url(component, env.REDIS_URL);
      if (env.PGHOST) byHost(component, env.PGHOST, Number(env.PGPORT));
    }
    url("redis-exporter", envOf(containerOf(graph, "redis-exporter")).REDIS_ADDR);
    byHost("postgres-exporter", envOf(containerOf(graph, "postgres-exporter")).DATA_SOURCE_URI.split(":")[0], Number(/:(\d+)\//.exec(envOf(containerOf(graph, "postgres-exporter")).DATA_SOURCE_URI)![1]));
    assert.ok(needed.length >= 12);
    for (const [from, to, port] of needed) assert.ok(has(from, to, port), `${from} → ${to}:${port} is used but not in the flows table`);
  });
});

describe("the NetworkPolicies", () => {
  it("deny everything by default, both ways, in both namespaces", () => {
    for (const namespace of [NS, NODE_NS]) {
      const deny = cluster.policies.find((p) => p.metadata.namespace === namespace && p.metadata.name === "default-deny");
      assert.deepEqual(deny?.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, namespace);
    }
  });

  it("never open a whole peer: every rule names its ports, only DNS goes to any destination and only the published services accept anyone", () => {
    for (const policy of cluster.policies) {
      for (const rule of policy.spec.ingress ?? []) {
        assert.ok(rule.ports && rule.ports.length > 0, `${policy.metadata.name}: an ingress rule without ports`);
        if (rule.from === undefined) assert.ok(["allow-vote", "allow-result", "allow-grafana"].includes(policy.metadata.name), `${policy.metadata.name} accepts anyone`);
      }
      for (const rule of policy.spec.egress ?? []) {
        assert.ok(rule.ports && rule.ports.length > 0, `${policy.metadata.name}: an egress rule without ports`);
        if (rule.to === undefined) assert.ok(rule.ports.every((p) => p.port === 53), `${policy.metadata.name}: only DNS goes anywhere`);
      }
    }
  });

  it("let every required flow through", () => {
    assert.deepEqual(blockedFlows(cluster, pods, flows), []);
  });

  it("let nothing else through: between every pair of pods, from outside, and to the outside, on every port the stack knows", () => {
    const { checked, unexpected } = unexpectedConnections(graph, cluster, pods, flows);
    assert.ok(checked > 5000, `${checked} connections checked`);
    assert.deepEqual(unexpected, []);
  });

  it("select pods by the name label alone, across namespaces by the namespace's own name", () => {
    for (const policy of cluster.policies) {
      for (const rule of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) {
        for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
          if (peer.podSelector) assert.deepEqual(Object.keys(peer.podSelector.matchLabels ?? {}), [K8S_NAME_LABEL]);
          if (peer.namespaceSelector) assert.deepEqual(Object.keys(peer.namespaceSelector.matchLabels ?? {}), ["kubernetes.io/metadata.name"]);
        }
      }
    }
  });
});

describe("beyond one machine (issue 14): the configured stores are flows of the table, and the policies follow it", () => {
  const token = writeTokenFile();
  after(token.cleanup);
  const scaledFlows = (loki: Record<string, unknown> = {}) => {
    const scaled = loadStack("k8s", scaledOverlay("kubernetes", token.path, loki)).config;
    return requiredFlows(scaled, kubernetesTopology(NS, scaled.kubernetes.alertmanagerReplicas));
  };

  it("add Prometheus to each remote-write endpoint, Loki to its bucket (with DNS), Grafana to the query URL instead of Prometheus", () => {
    const plain = loadStack("k8s").config;
    const before = new Set(requiredFlows(plain, kubernetesTopology(NS, plain.kubernetes.alertmanagerReplicas)).map(flowKey));
    const scaled = scaledFlows();
    const now = new Set(scaled.map(flowKey));
    assert.deepEqual([...now].filter((k) => !before.has(k)), [
      "grafana → internet:443/TCP",
      "loki → dns:53/TCP",
      "loki → dns:53/UDP",
      "loki → internet:9000/TCP",
      "prometheus → internet:443/TCP",
      "prometheus → internet:8428/TCP",
    ]);
    assert.deepEqual([...before].filter((k) => !now.has(k)), ["grafana → prometheus:9090/TCP"], "Grafana queries the store, not this stack's Prometheus");
    const why = (key: string) => scaled.find((f) => flowKey(f) === key)!.why;
    assert.equal(why("prometheus → internet:443/TCP"), "remote write to mimir at mimir.example.com");
    assert.equal(why("prometheus → internet:8428/TCP"), "remote write to vm at vm.example.com:8428");
    assert.equal(why("loki → internet:9000/TCP"), "Loki's bucket voteobs-logs at minio.example.com:9000");
    assert.equal(why("grafana → internet:443/TCP"), "Grafana's Prometheus datasource queries the store at mimir.example.com");
  });

  it("give Loki 443 to AWS S3 when no endpoint is given", () => {
    const aws = scaledFlows({ endpoint: undefined, pathStyle: false, region: "eu-west-1" }).filter((f) => f.from === "loki" && f.to === "internet");
    assert.deepEqual(aws.map((f) => `${flowKey(f)} ${f.why}`), ["loki → internet:443/TCP Loki's bucket voteobs-logs on AWS S3 (eu-west-1)"]);
  });

  it("let every flow of the scaled stack through, and nothing else", async () => {
    const loaded = loadStack("k8s", scaledOverlay("kubernetes", token.path));
    const scaledGraph = await buildGraph(loaded.config, loaded.secrets);
    const scaled = clusterOf(scaledGraph);
    const table = requiredFlows(loaded.config, kubernetesTopology(NS, loaded.config.kubernetes.alertmanagerReplicas));
    assert.deepEqual(blockedFlows(scaled.cluster, scaled.pods, table), []);
    const { checked, unexpected } = unexpectedConnections(scaledGraph, scaled.cluster, scaled.pods, table);
    assert.ok(checked > 5000, `${checked} connections checked`);
    assert.deepEqual(unexpected, []);
    assert.ok(!connectionAllowed(scaled.cluster, scaled.pods.get("grafana")!, scaled.pods.get("prometheus")!, PORTS_PROMETHEUS, "TCP"), "Grafana no longer reaches Prometheus");

    // Every store connection the rendered configs make is a flow to the outside on its port.
    const file = (name: string) => scaledGraph.ofType("kubernetes:core/v1:ConfigMap").map((r) => reveal<{ data: Record<string, string> }>(r.inputs).data[name]).find((t) => t !== undefined)!;
    const port = (url: URL) => Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const needed: Array<[Component, number]> = [];
    for (const write of (parseYaml(file("prometheus.yml")) as { remote_write: Array<{ url: string }> }).remote_write) needed.push(["prometheus", port(new URL(write.url))]);
    const s3 = (parseYaml(file("loki.yaml")) as { common: { storage: { s3: { endpoint: string; insecure?: boolean } } } }).common.storage.s3;
    needed.push(["loki", port(new URL(`${s3.insecure ? "http" : "https"}://${s3.endpoint}`))]);
    const datasource = (parseYaml(file("voteobs.yaml")) as { datasources: Array<{ type: string; url: string }> }).datasources.find((d) => d.type === "prometheus")!;
    needed.push(["grafana", port(new URL(datasource.url))]);
    assert.deepEqual(needed.map(([from, p]) => `${from}:${p}`), ["prometheus:443", "prometheus:8428", "loki:9000", "grafana:443"]);
    for (const [from, p] of needed) assert.ok(connectionAllowed(scaled.cluster, scaled.pods.get(from)!, INTERNET, p, "TCP"), `${from} → the store on ${p}`);
  });
});

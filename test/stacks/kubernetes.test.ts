// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { autoName, buildGraph, isSecretValue, loadGenerated, loadStack, matchSnapshot, mockSecret, plainStrings, reveal, snapshotOf, type Graph, type Recorded } from "./harness";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import type { Component } from "../../config/components";
import { K8S_NAME_LABEL, PORTS, SCRAPED_SERVICE } from "../../render/topology/types";

const NS = "voteobs";
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"];
const RUNNING: Component[] = ["vote", "worker", "result", "redis", "postgres", "prometheus", "alertmanager", "grafana", "loki", "alloy", "redis-exporter", "postgres-exporter", "node-exporter"];

type K8sContainer = {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number; hostPort?: number }>;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  resources?: { limits?: { cpu?: string; memory?: string } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] }; privileged?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = {
  containers: K8sContainer[];
  volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }>;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  restartPolicy?: string;
  hostNetwork?: boolean;
};
type Workload = {
  metadata: { name: string; namespace: string };
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    volumeClaimTemplates?: unknown[];
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
};
type Service = { metadata: { name: string; namespace: string }; spec: { type?: string; clusterIP?: string; selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: number }> } };

const workloads = (graph: Graph) => graph.resources.filter((r) => WORKLOADS.includes(r.type)).map((r) => ({ record: r, spec: reveal<Workload>(r.inputs) }));
const workloadOf = (graph: Graph, component: Component) => {
  const found = workloads(graph).find((w) => w.spec.metadata.name === component);
  assert.ok(found, `no workload ${component}`);
  return found;
};
const services = (graph: Graph) => graph.ofType("kubernetes:core/v1:Service").map((r) => reveal<Service>(r.inputs));
const configMaps = (graph: Graph) => new Map(graph.ofType("kubernetes:core/v1:ConfigMap").map((r) => [autoName(r.name), { record: r, data: reveal<{ data: Record<string, string> }>(r.inputs).data }]));

/** Every file a workload reads from a ConfigMap: component → container path → text. */
function mountedFiles(graph: Graph): Map<string, string> {
  const maps = configMaps(graph);
  const files = new Map<string, string>();
  for (const { spec } of workloads(graph)) {
    const pod = spec.spec.template.spec;
    for (const container of pod.containers) {
      for (const mount of container.volumeMounts ?? []) {
        const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
        if (!volume?.configMap) continue;
        const map = maps.get(volume.configMap.name);
        assert.ok(map, `${container.name} mounts ConfigMap ${volume.configMap.name}, which the stack does not create`);
        for (const [key, text] of Object.entries(map.data)) files.set(`${container.name}:${mount.mountPath}/${key}`, text);
      }
    }
  }
  return files;
}

describe("kubernetes target (k8s stack under Pulumi mocks)", () => {
  let graph: Graph;
  const generated = loadGenerated("k8s");

  before(async () => {
    const { config, secrets } = loadStack("k8s");
    graph = await buildGraph(config, secrets);
  });

  it("matches the reviewed resource graph snapshot", () => {
    const result = matchSnapshot("k8s.yaml", snapshotOf(graph, generated));
    assert.ok(result.ok, result.ok ? "" : result.message);
  });

  it("runs a workload per component in the namespace, its container named as the component", () => {
    assert.deepEqual(workloads(graph).map((w) => w.spec.metadata.name).sort(), [...RUNNING].sort());
    for (const { spec } of workloads(graph)) {
      const component = spec.metadata.name;
      assert.equal(spec.metadata.namespace, NS);
      assert.equal(spec.spec.template.metadata.labels[K8S_NAME_LABEL], component);
      assert.deepEqual(spec.spec.selector.matchLabels, { [K8S_NAME_LABEL]: component });
      assert.deepEqual(spec.spec.template.spec.containers.map((c) => c.name), [component], "cAdvisor relabelling maps container → service");
    }
  });

  it("every pod has probes, a restart policy, limits, non-root, seccomp RuntimeDefault and a read-only root filesystem", () => {
    for (const { spec } of workloads(graph)) {
      const pod = spec.spec.template.spec;
      const name = spec.metadata.name;
      assert.equal(pod.restartPolicy, "Always", `${name} restartPolicy`);
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${name} runAsNonRoot`);
      assert.equal(pod.securityContext?.seccompProfile?.type, "RuntimeDefault", `${name} seccomp`);
      assert.notEqual(pod.hostNetwork, true, `${name} hostNetwork`);
      for (const c of pod.containers) {
        assert.ok(c.livenessProbe && c.readinessProbe, `${name}/${c.name} probes`);
        assert.ok(c.resources?.limits?.cpu && c.resources.limits.memory, `${name}/${c.name} limits`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${name}/${c.name} read-only root`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${name}/${c.name} no escalation`);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"], `${name}/${c.name} drops capabilities`);
        assert.ok((c.ports ?? []).every((p) => p.hostPort === undefined), `${name}/${c.name} binds no host port`);
      }
    }
  });

  it("vote, worker and result are Deployments with /healthz and /readyz probes and a PodDisruptionBudget", () => {
    const budgets = graph.ofType("kubernetes:policy/v1:PodDisruptionBudget").map((r) => reveal<{ metadata: { name: string } }>(r.inputs).metadata.name);
    for (const component of ["vote", "worker", "result"] as const) {
      const { record, spec } = workloadOf(graph, component);
      assert.equal(record.type, "kubernetes:apps/v1:Deployment");
      const c = spec.spec.template.spec.containers[0] as K8sContainer & { livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } } };
      assert.equal(c.livenessProbe.httpGet.path, "/healthz");
      assert.equal(c.readinessProbe.httpGet.path, "/readyz");
      assert.ok(budgets.includes(component), `${component} PodDisruptionBudget`);
    }
    assert.equal(workloadOf(graph, "vote").spec.spec.replicas, 2);
    assert.equal(workloadOf(graph, "result").spec.spec.replicas, 2, "Pulumi.k8s.yaml asks for two result pods");
  });

  it("Redis, Postgres, Prometheus and Loki are StatefulSets with a PersistentVolumeClaim", () => {
    for (const component of ["redis", "postgres", "prometheus", "loki", "alertmanager", "grafana"] as const) {
      const { record, spec } = workloadOf(graph, component);
      assert.equal(record.type, "kubernetes:apps/v1:StatefulSet", component);
      assert.equal(spec.spec.volumeClaimTemplates?.length, 1, `${component} PVC`);
    }
  });

  it("Alertmanager runs 3 replicas clustered through the headless Service alertmanager-peers, and Prometheus alerts every replica", () => {
    const { spec } = workloadOf(graph, "alertmanager");
    assert.equal(spec.spec.replicas, 3);
    assert.equal(spec.spec.serviceName, "alertmanager-peers");
    const peersService = services(graph).find((s) => s.metadata.name === "alertmanager-peers");
    assert.equal(peersService?.spec.clusterIP, "None");
    const args = spec.spec.template.spec.containers[0].args ?? [];
    const peers = args.filter((a) => a.startsWith("--cluster.peer=")).map((a) => a.slice("--cluster.peer=".length));
    assert.deepEqual(peers, [0, 1, 2].map((i) => `alertmanager-${i}.alertmanager-peers.${NS}.svc:9094`));
    const prometheusYml = parseYaml(mountedFiles(graph).get("prometheus:/etc/prometheus/config/prometheus.yml")!) as { alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> } };
    assert.deepEqual(prometheusYml.alerting.alertmanagers[0].static_configs[0].targets, peers.map((p) => p.replace(":9094", ":9093")));
  });

  it("Alloy is a DaemonSet; Grafana reads datasources and dashboards from ConfigMaps", () => {
    assert.equal(workloadOf(graph, "alloy").record.type, "kubernetes:apps/v1:DaemonSet");
    const grafanaFiles = [...mountedFiles(graph).keys()].filter((k) => k.startsWith("grafana:"));
    assert.ok(grafanaFiles.includes("grafana:/etc/grafana/provisioning/datasources/voteobs.yaml"));
    assert.ok(grafanaFiles.some((k) => k.startsWith("grafana:/etc/grafana/dashboards/")) === Object.keys(generated).some((p) => p.startsWith("grafana/dashboards/")));
  });

  it("every service is scraped: a job of the mounted prometheus.yml discovers a Service port named metrics that selects its pods", () => {
    const document = parseYaml(mountedFiles(graph).get("prometheus:/etc/prometheus/config/prometheus.yml")!) as {
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[]; labels: { service: string } }>; kubernetes_sd_configs?: Array<{ role: string; namespaces?: { names: string[] } }>; relabel_configs?: Array<Record<string, unknown>>; metrics_path?: string }>;
    };
    const scraped = new Set<string>();
    for (const job of document.scrape_configs) {
      const sd = job.kubernetes_sd_configs?.[0];
      if (sd?.role === "endpoints") {
        assert.deepEqual(sd.namespaces?.names, [NS]);
        const keep = job.relabel_configs?.find((r) => r.action === "keep");
        const [serviceName, portName] = String(keep?.regex).split(";");
        assert.equal(portName, "metrics");
        const svc = services(graph).find((s) => s.metadata.name === serviceName);
        assert.ok(svc, `job ${job.job_name}: no Service ${serviceName}`);
        const port = svc.spec.ports.find((p) => p.name === "metrics");
        assert.ok(port, `Service ${serviceName} has no port named metrics`);
        const target = workloads(graph).find((w) => Object.entries(svc.spec.selector).every(([k, v]) => w.spec.spec.template.metadata.labels[k] === v));
        assert.ok(target, `Service ${serviceName} selects no pods`);
        assert.ok(target.spec.spec.template.spec.containers.some((c) => (c.ports ?? []).some((p) => p.containerPort === port.targetPort)), `Service ${serviceName} targets a port its pods do not open`);
        assert.equal(port.targetPort, PORTS[serviceName as Component]);
        scraped.add(SCRAPED_SERVICE[serviceName as Component]);
      } else if (sd?.role === "node") {
        assert.equal(job.metrics_path, "/metrics/cadvisor");
        scraped.add("cadvisor");
      } else {
        for (const sc of job.static_configs ?? []) {
          assert.deepEqual(sc.targets, [`localhost:${PORTS.prometheus}`], `${job.job_name} static targets`);
          scraped.add(sc.labels.service);
        }
      }
    }
    for (const component of RUNNING) assert.ok(scraped.has(SCRAPED_SERVICE[component]), `${component} is scraped by no job`);
    assert.ok(scraped.has("cadvisor"), "container metrics come from the kubelets' cAdvisor");
  });

  it("Prometheus may discover the namespace and read the kubelets' cAdvisor, nothing more", () => {
    const cluster = graph.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").map((r) => reveal<{ rules: Array<{ resources?: string[]; verbs: string[] }> }>(r.inputs));
    assert.equal(cluster.length, 1);
    assert.deepEqual(cluster[0].rules.flatMap((r) => r.resources ?? []).sort(), ["nodes", "nodes/metrics", "nodes/proxy"]);
    assert.ok(cluster[0].rules.every((r) => r.verbs.every((v) => ["get", "list", "watch"].includes(v))));
    const roles = graph.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").map((r) => reveal<{ metadata: { name: string }; rules: Array<{ resources: string[] }> }>(r.inputs));
    const discovery = roles.find((r) => r.metadata.name === "prometheus-discovery");
    assert.deepEqual(discovery?.rules.flatMap((r) => r.resources).sort(), ["endpoints", "endpointslices", "pods", "services"]);
  });

  it("exposes nothing outside the cluster: ClusterIP Services only, no host ports", () => {
    for (const svc of services(graph)) assert.equal(svc.spec.type, "ClusterIP", `${svc.metadata.name} is ${svc.spec.type}`);
  });

  it("lets only what must talk talk: default-deny ingress plus one policy per component", () => {
    const policies = graph.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => reveal<{ metadata: { name: string }; spec: { podSelector: { matchLabels?: Record<string, string> }; ingress?: Array<{ from?: Array<{ podSelector: { matchLabels: Record<string, string> } }> }> } }>(r.inputs));
    const deny = policies.find((p) => p.metadata.name === "default-deny-ingress");
    assert.ok(deny && deny.spec.ingress === undefined && Object.keys(deny.spec.podSelector).length === 0);
    const sources = (component: Component) =>
      policies
        .find((p) => p.metadata.name === `allow-${component}`)!
        .spec.ingress!.flatMap((rule) => (rule.from ?? [{ podSelector: { matchLabels: { [K8S_NAME_LABEL]: "*" } } }]).map((f) => f.podSelector.matchLabels[K8S_NAME_LABEL]))
        .sort();
    for (const component of RUNNING) assert.ok(policies.some((p) => p.metadata.name === `allow-${component}`), `${component} has an ingress policy`);
    assert.deepEqual(sources("redis"), ["redis-exporter", "vote", "worker"]);
    assert.deepEqual(sources("postgres"), ["postgres-exporter", "result", "worker"]);
    assert.deepEqual(sources("worker"), ["prometheus"]);
    assert.deepEqual(sources("vote"), ["*"]);
  });

  it("every secret is a Secret of secret values, never plain text anywhere", () => {
    const values = [mockSecret("slackWebhookUrl"), ...graph.ofType("random:index/randomPassword:RandomPassword").map((r) => `generated-${r.name}`)];
    assert.equal(values.length, 4);
    for (const resource of graph.resources) {
      for (const { path, text } of plainStrings(resource.inputs)) for (const value of values) assert.ok(!text.includes(value), `${resource.type} ${resource.name} ${path} holds a secret in plain text`);
    }
    const secrets = graph.ofType("kubernetes:core/v1:Secret");
    assert.equal(secrets.length, 3, "Postgres password, Alertmanager receivers, Grafana admin");
    for (const secret of secrets) {
      // The Kubernetes SDK wraps the whole stringData (our values are secrets already).
      assert.ok(isSecretValue(secret.inputs.stringData), `${secret.name} stringData is a secret input`);
    }
  });

  it("mounts every file of generated/k8s byte for byte, each in its component's pods", async () => {
    const { placeRenderedFiles } = await import("../../stacks/files");
    const mounted = mountedFiles(graph);
    const placed = placeRenderedFiles(generated);
    assert.deepEqual([...mounted.keys()].sort(), placed.map((f) => `${f.component}:${f.path}`).sort());
    for (const file of placed) assert.ok(mounted.get(`${file.component}:${file.path}`) === file.content, `${file.rendered} mounted byte for byte`);
  });

  it("renders the same rules, routes, templates and dashboards as the docker target, only addresses differ", () => {
    const docker = loadGenerated("dev");
    for (const path of Object.keys(generated)) {
      if (path.startsWith("prometheus/rules/") || path.startsWith("alertmanager/templates/") || path.startsWith("grafana/dashboards/")) {
        assert.equal(generated[path], docker[path], `${path} is the same on both targets`);
      }
    }
  });

  it("a threshold change changes the rules ConfigMap and rolls exactly the pods that mount it", async () => {
    const { config, secrets } = loadStack("k8s", { alerts: { voteErrorRatio: { threshold: 0.07 } } });
    const changed = await buildGraph(config, secrets);
    const key = (r: Recorded) => `${r.type}::${r.name}`;
    const old = new Map(graph.resources.map((r) => [key(r), r]));
    const differing = changed.resources.filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(old.get(key(r))?.inputs)).map(key).sort();
    const allowed = new Set([
      "kubernetes:core/v1:ConfigMap::voteobs-prometheus-rules",
      "kubernetes:apps/v1:StatefulSet::voteobs-prometheus",
      "kubernetes:core/v1:ConfigMap::voteobs-grafana-dashboards",
      "kubernetes:apps/v1:StatefulSet::voteobs-grafana",
    ]);
    assert.ok(differing.includes("kubernetes:core/v1:ConfigMap::voteobs-prometheus-rules"), "the rules ConfigMap changes");
    assert.ok(differing.includes("kubernetes:apps/v1:StatefulSet::voteobs-prometheus"), "Prometheus pods roll");
    for (const k of differing) assert.ok(allowed.has(k), `${k} must not change with a threshold`);
    const before = reveal<Workload>(old.get("kubernetes:apps/v1:StatefulSet::voteobs-prometheus")!.inputs);
    const after = reveal<Workload>(changed.get("kubernetes:apps/v1:StatefulSet", "voteobs-prometheus").inputs);
    assert.notEqual(before.spec.template.metadata.annotations?.["voteobs.io/config-hash"], after.spec.template.metadata.annotations?.["voteobs.io/config-hash"]);
    assert.deepEqual({ ...after.spec.template, metadata: {} }, { ...before.spec.template, metadata: {} }, "only the config hash annotation of the pod template changes");
  });

  it("pulls our images from app.imageRepository at app.imageTag", async () => {
    const { config, secrets } = loadStack("k8s", { app: { imageRepository: "registry.example.com/voteobs", imageTag: "1a2b3c4" } });
    const custom = await buildGraph(config, secrets);
    for (const service of ["vote", "worker", "result"] as const) {
      const [container] = workloadOf(custom, service).spec.spec.template.spec.containers;
      assert.equal(container.image, `registry.example.com/voteobs/${service}:1a2b3c4`);
    }
  });
});

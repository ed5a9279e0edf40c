// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { autoName, buildGraph, isSecretValue, loadGenerated, loadStack, matchSnapshot, mockSecret, plainStrings, reveal, snapshotOf, type Graph, type Recorded } from "./harness";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import type { Component } from "../../config/components";
import { K8S_NAME_LABEL, PORTS, SCRAPED_SERVICE } from "../../render/topology/types";
import { TEST_PINS } from "../../config/versions";
import { containerOf, envOf, podOf, restrictedViolations, services, workloadOf, workloads, type K8sContainer, type PodSpec, type Workload } from "./k8s-objects";
import { SCALED_SECRET_VALUES, scaledOverlay, VM_TOKEN, writeTokenFile } from "./scaled";

const NS = "voteobs";
const NODE_NS = "voteobs-node";
const NODE_AGENTS: Component[] = ["node-exporter", "alloy"];
const RUNNING: Component[] = ["vote", "worker", "result", "redis", "postgres", "prometheus", "alertmanager", "grafana", "loki", "alloy", "redis-exporter", "postgres-exporter", "node-exporter"];

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

  it("runs a workload per component, the node agents in their own namespace, its container named as the component", () => {
    assert.deepEqual(workloads(graph).map((w) => w.spec.metadata.name).sort(), [...RUNNING].sort());
    for (const { spec } of workloads(graph)) {
      const component = spec.metadata.name as Component;
      assert.equal(spec.metadata.namespace, NODE_AGENTS.includes(component) ? NODE_NS : NS, component);
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
      const c = spec.spec.template.spec.containers[0];
      assert.equal(c.livenessProbe?.httpGet?.path, "/healthz");
      assert.equal(c.readinessProbe?.httpGet?.path, "/readyz");
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
      if (sd?.role === "endpointslice") {
        const [namespace] = sd.namespaces?.names ?? [];
        const keep = job.relabel_configs?.find((r) => r.action === "keep");
        assert.deepEqual(keep?.source_labels, ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"], "the endpointslice role's meta labels");
        const [serviceName, portName] = String(keep?.regex).split(";");
        assert.equal(portName, "metrics");
        const svc = services(graph).find((s) => s.metadata.name === serviceName && s.metadata.namespace === namespace);
        assert.ok(svc, `job ${job.job_name}: no Service ${namespace}/${serviceName}`);
        const port = svc.spec.ports.find((p) => p.name === "metrics");
        assert.ok(port, `Service ${serviceName} has no port named metrics`);
        const target = workloads(graph).find((w) => w.spec.metadata.namespace === namespace && Object.entries(svc.spec.selector).every(([k, v]) => w.spec.spec.template.metadata.labels[k] === v));
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

  it("exposes nothing outside the cluster: ClusterIP Services only, no host ports", () => {
    for (const svc of services(graph)) assert.equal(svc.spec.type, "ClusterIP", `${svc.metadata.name} is ${svc.spec.type}`);
  });

  it("every secret is a Secret of secret values, never plain text anywhere", () => {
    const values = [mockSecret("slackWebhookUrl"), ...graph.ofType("random:index/randomPassword:RandomPassword").map((r) => `generated-${r.name}`)];
    assert.equal(values.length, 4, "Slack webhook, generated Grafana admin, Postgres and Redis passwords");
    for (const resource of graph.resources) {
      for (const { path, text } of plainStrings(resource.inputs)) for (const value of values) assert.ok(!text.includes(value), `${resource.type} ${resource.name} ${path} holds a secret in plain text`);
    }
    const secrets = graph.ofType("kubernetes:core/v1:Secret");
    assert.equal(secrets.length, 4, "Postgres password, Redis password, Alertmanager receivers, Grafana admin");
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

  // --- issue 12 -------------------------------------------------------------------------------

  it("Redis requires a password read from its config file in a Secret, never from its command line or a plain variable", () => {
    const redis = containerOf(graph, "redis");
    const pod = podOf(graph, "redis");
    const [configFile] = (redis.args ?? []).filter((a) => a.endsWith(".conf"));
    assert.ok(configFile, `redis-server is given a config file: ${redis.args?.join(" ")}`);
    assert.ok(!(redis.args ?? []).some((a) => /requirepass|pass/i.test(a)), "no password on the command line");
    assert.deepEqual(redis.env ?? [], [], "no environment at all");
    const mount = redis.volumeMounts?.find((m) => configFile.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    assert.ok(volume?.secret, "the config file comes from a Secret volume");
    const secret = graph.ofType("kubernetes:core/v1:Secret").find((r) => autoName(r.name) === volume.secret!.secretName);
    assert.ok(secret && isSecretValue(secret.inputs.stringData), "its data is a Pulumi secret");
    const data = reveal<{ stringData: Record<string, string> }>(secret.inputs).stringData;
    const password = `generated-voteobs-redis-password`;
    assert.equal(data[configFile.slice(mount!.mountPath.length + 1)], `requirepass "${password}"\n`);
    assert.equal(data["redis-password"], password);
  });

  it("vote, worker and redis_exporter use the Redis password, each from a file of the Redis Secret", () => {
    const secretName = podOf(graph, "redis").volumes!.find((v) => v.secret)!.secret!.secretName;
    for (const component of ["vote", "worker"] as const) {
      const file = envOf(containerOf(graph, component)).REDIS_PASSWORD_FILE;
      assert.equal(file, "/etc/voteobs/secrets/redis/redis-password", component);
      const mount = containerOf(graph, component).volumeMounts!.find((m) => m.mountPath === "/etc/voteobs/secrets/redis");
      const volume = podOf(graph, component).volumes!.find((v) => v.name === mount?.name);
      assert.equal(volume?.secret?.secretName, secretName, `${component} mounts the Redis Secret`);
      assert.deepEqual(volume?.secret?.items, [{ key: "redis-password", path: "redis-password" }], `${component} sees only the bare password`);
    }
    assert.equal(envOf(containerOf(graph, "result")).REDIS_PASSWORD_FILE, undefined, "result does not talk to Redis");
    const exporter = containerOf(graph, "redis-exporter");
    const flag = exporter.args?.find((a) => a.startsWith("--redis.password-file="))?.split("=")[1];
    assert.ok(flag, "redis_exporter reads a password file");
    const volume = podOf(graph, "redis-exporter").volumes!.find((v) => v.secret?.secretName === secretName);
    assert.ok(volume, "from the Redis Secret");
    const key = volume.secret!.items![0].key;
    assert.equal(flag, `${exporter.volumeMounts!.find((m) => m.name === volume.name)!.mountPath}/${key}`);
    const data = reveal<{ stringData: Record<string, string> }>(graph.ofType("kubernetes:core/v1:Secret").find((r) => autoName(r.name) === secretName)!.inputs).stringData;
    // redis_exporter looks the password up by its REDIS_ADDR, exactly as written.
    assert.deepEqual(JSON.parse(data[key]), { [envOf(exporter).REDIS_ADDR]: "generated-voteobs-redis-password" });
  });

  it("postgres_exporter runs with --collector.postmaster (the restart queries read pg_postmaster_start_time_seconds)", () => {
    assert.ok(containerOf(graph, "postgres-exporter").args?.includes("--collector.postmaster"));
  });

  it("Grafana's Alertmanager datasource goes through the ClusterIP Service that selects every replica, not alertmanager-0", () => {
    const datasources = parseYaml(mountedFiles(graph).get("grafana:/etc/grafana/provisioning/datasources/voteobs.yaml")!) as { datasources: Array<{ type: string; url: string }> };
    const url = new URL(datasources.datasources.find((d) => d.type === "alertmanager")!.url);
    assert.equal(url.hostname, `alertmanager.${NS}.svc`);
    const service = services(graph).find((s) => s.metadata.name === "alertmanager" && s.metadata.namespace === NS)!;
    assert.equal(service.spec.type, "ClusterIP");
    assert.notEqual(service.spec.clusterIP, "None", "a load-balanced address, not one pod's");
    assert.deepEqual(service.spec.selector, { [K8S_NAME_LABEL]: "alertmanager" });
    assert.ok(service.spec.ports.some((p) => p.port === Number(url.port) && p.targetPort === PORTS.alertmanager));
  });

  it("Alertmanager, vote and result spread over the nodes as a preference, so a one-node cluster still schedules them", () => {
    for (const component of ["alertmanager", "vote", "result"] as const) {
      const pod = podOf(graph, component);
      const spread = pod.topologySpreadConstraints ?? [];
      assert.ok(spread.some((c) => c.topologyKey === "kubernetes.io/hostname" && c.maxSkew === 1 && c.labelSelector.matchLabels[K8S_NAME_LABEL] === component), `${component} spreads over nodes`);
      assert.ok(spread.every((c) => c.whenUnsatisfiable === "ScheduleAnyway"), `${component}: a preference, never DoNotSchedule`);
      assert.equal(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, undefined, `${component}: no required anti-affinity`);
    }
    assert.deepEqual(podOf(graph, "vote").topologySpreadConstraints![0].matchLabelKeys, ["pod-template-hash"], "a rollout's new pods spread among themselves");
  });

  it("the namespace enforces the restricted Pod Security level and every pod in it meets it; node-exporter and Alloy alone run in a privileged one", () => {
    const namespaces = graph.ofType("kubernetes:core/v1:Namespace").map((r) => reveal<{ metadata: { name: string; labels: Record<string, string> } }>(r.inputs).metadata);
    const labels = Object.fromEntries(namespaces.map((n) => [n.name, n.labels]));
    for (const mode of ["enforce", "audit", "warn"]) assert.equal(labels[NS][`pod-security.kubernetes.io/${mode}`], "restricted", mode);
    assert.equal(labels[NODE_NS]["pod-security.kubernetes.io/enforce"], "privileged");
    for (const { spec } of workloads(graph)) {
      const component = spec.metadata.name as Component;
      const violations = restrictedViolations(spec.spec.template.spec);
      if (spec.metadata.namespace === NS) assert.deepEqual(violations, [], `${component} meets restricted`);
      else assert.ok(NODE_AGENTS.includes(component) && violations.length > 0, `${component} runs in ${spec.metadata.namespace} and needs it`);
    }
  });

  it("the Pod Security version is the Kubernetes minor release the objects are validated against", async () => {
    const { POD_SECURITY_VERSION } = await import("../../stacks/kubernetes");
    assert.equal(POD_SECURITY_VERSION, `v${TEST_PINS.kubernetes.release.split(".").slice(0, 2).join(".")}`);
  });

  it("RBAC: Prometheus lists and watches EndpointSlices, Services and pods of both namespaces and nodes, and gets nodes/metrics; Alloy reads pods and their logs; nothing else", () => {
    const rules = (type: string) =>
      graph.ofType(type).map((r) => {
        const role = reveal<{ metadata: { name: string; namespace?: string }; rules: Array<{ apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }> }>(r.inputs);
        return { name: role.metadata.name, namespace: role.metadata.namespace, rules: role.rules.map((rule) => `${(rule.apiGroups ?? []).join(",") || "core"}:${(rule.resources ?? rule.nonResourceURLs ?? []).join(",")}:${rule.verbs.join(",")}`) };
      });
    assert.deepEqual(rules("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"), [{ name: `voteobs-${NS}-prometheus`, namespace: undefined, rules: ["core:nodes:list,watch", "core:nodes/metrics:get"] }]);
    const roles = rules("kubernetes:rbac.authorization.k8s.io/v1:Role").sort((a, b) => `${a.name}${a.namespace}`.localeCompare(`${b.name}${b.namespace}`));
    assert.deepEqual(roles, [
      { name: "alloy-logs", namespace: NS, rules: ["core:pods:get,list,watch", "core:pods/log:get"] },
      { name: "alloy-logs", namespace: NODE_NS, rules: ["core:pods:get,list,watch", "core:pods/log:get"] },
      { name: "prometheus-discovery", namespace: NS, rules: ["discovery.k8s.io:endpointslices:list,watch", "core:services,pods:list,watch"] },
      { name: "prometheus-discovery", namespace: NODE_NS, rules: ["discovery.k8s.io:endpointslices:list,watch", "core:services,pods:list,watch"] },
    ]);
    const accounts = workloads(graph).filter((w) => w.spec.spec.template.spec.serviceAccountName).map((w) => w.spec.metadata.name).sort();
    assert.deepEqual(accounts, ["alloy", "prometheus"], "only Prometheus and Alloy get an API token");
  });

  it("Alloy keeps its read positions on a hostPath and tolerates the taints node-exporter tolerates", () => {
    const pod = podOf(graph, "alloy");
    const storage = containerOf(graph, "alloy").args!.find((a) => a.startsWith("--storage.path="))!.split("=")[1];
    const mount = containerOf(graph, "alloy").volumeMounts!.find((m) => m.mountPath === storage);
    const volume = pod.volumes!.find((v) => v.name === mount?.name);
    assert.deepEqual(volume?.hostPath, { path: `/var/lib/voteobs-alloy/${NS}`, type: "DirectoryOrCreate" }, "positions outlive the pod, one folder per stack");
    assert.deepEqual(pod.tolerations, podOf(graph, "node-exporter").tolerations);
    assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
    const init = pod.initContainers?.[0];
    assert.deepEqual(init?.securityContext?.capabilities, { drop: ["ALL"], add: ["CHOWN"] }, "the folder is handed to Alloy's user with CAP_CHOWN alone");
    assert.equal(containerOf(graph, "alloy").securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, "Alloy itself runs unprivileged");
  });

  it("Loki has no ruler (no rule store) and Grafana's alerting views do not ask it for rules", () => {
    const loki = parseYaml(mountedFiles(graph).get("loki:/etc/loki/config/loki.yaml")!) as { common: Record<string, unknown>; ruler?: unknown; storage_config: { filesystem: { directory: string } } };
    assert.equal(loki.ruler, undefined);
    assert.equal((loki.common.storage as unknown) ?? undefined, undefined, "common.storage.filesystem would configure a rule store");
    assert.equal(loki.storage_config.filesystem.directory, "/loki/chunks");
    const datasources = parseYaml(mountedFiles(graph).get("grafana:/etc/grafana/provisioning/datasources/voteobs.yaml")!) as { datasources: Array<{ type: string; jsonData: { manageAlerts?: boolean } }> };
    assert.equal(datasources.datasources.find((d) => d.type === "loki")!.jsonData.manageAlerts, false);
  });

  it("Grafana and Postgres get startupProbes of five minutes, so first-start migrations and initdb are not killed", () => {
    for (const component of ["grafana", "postgres"] as const) {
      const c = containerOf(graph, component);
      assert.ok(c.startupProbe, `${component} startupProbe`);
      assert.deepEqual({ ...c.startupProbe, initialDelaySeconds: undefined, periodSeconds: undefined, failureThreshold: undefined, timeoutSeconds: undefined }, { ...c.livenessProbe, initialDelaySeconds: undefined, periodSeconds: undefined, failureThreshold: undefined, timeoutSeconds: undefined }, `${component}: the startup check is the liveness check`);
      assert.ok(c.startupProbe.periodSeconds! * c.startupProbe.failureThreshold! >= 300, `${component} gets at least 5 minutes`);
    }
  });

  it("Prometheus' retention size is 80% of its volume", () => {
    const args = containerOf(graph, "prometheus").args!;
    const volume = workloadOf(graph, "prometheus").spec.spec.volumeClaimTemplates![0].spec.resources.requests.storage;
    assert.equal(volume, "20Gi");
    assert.ok(args.includes("--storage.tsdb.retention.size=16GB"), args.join(" "));
  });

  it("every StatefulSet is governed by a headless Service that selects its pods", () => {
    for (const { record, spec } of workloads(graph).filter((w) => w.record.type === "kubernetes:apps/v1:StatefulSet")) {
      const governing = services(graph).find((s) => s.metadata.name === spec.spec.serviceName && s.metadata.namespace === spec.metadata.namespace);
      assert.ok(governing, `${record.name}: no Service ${spec.spec.serviceName}`);
      assert.equal(governing.spec.clusterIP, "None", `${spec.spec.serviceName} is headless`);
      assert.deepEqual(governing.spec.selector, spec.spec.selector.matchLabels);
    }
  });

  // --- issue 11 item 8 --------------------------------------------------------------------------

  it("vote and result stay ready whatever Redis and Postgres do, drain after a preStop sleep, and are given the time it takes", () => {
    for (const component of ["vote", "result"] as const) {
      const c = containerOf(graph, component);
      const env = envOf(c);
      assert.equal(c.readinessProbe?.httpGet?.path, "/readyz", "the services answer /readyz 200 unless draining");
      assert.equal(c.livenessProbe?.httpGet?.path, "/healthz");
      const preStop = c.lifecycle?.preStop?.sleep?.seconds;
      assert.ok(preStop !== undefined && preStop >= 5, `${component}: a preStop sleep lets the endpoint's removal reach kube-proxy and ingresses`);
      const drain = Number(env.SHUTDOWN_DRAIN_MS) / 1000;
      const shutdown = Number(env.SHUTDOWN_TIMEOUT_MS) / 1000;
      assert.ok(drain > 0 && shutdown > 0, `${component}: SHUTDOWN_DRAIN_MS and SHUTDOWN_TIMEOUT_MS are set`);
      assert.ok(podOf(graph, component).terminationGracePeriodSeconds! > preStop + drain + shutdown, `${component}: grace period above preStop + drain + shutdown`);
      assert.ok(Number(env.HTTP_KEEP_ALIVE_TIMEOUT_MS) > 60_000, `${component}: keep-alive above the 60 s idle timeout of common load balancers`);
    }
  });

  it("the app services get exactly appEnvironment's variables (plus the drain settings of vote and result), their secret files mounted where the variables point", async () => {
    const { appEnvironment } = await import("../../render/app-environment");
    const { kubernetesTopology } = await import("../../render/topology");
    const { config } = loadStack("k8s");
    const expected = appEnvironment(config, kubernetesTopology(NS, 3).app);
    for (const component of ["vote", "worker", "result"] as const) {
      const c = containerOf(graph, component);
      const env = envOf(c);
      const extra = component === "worker" ? [] : ["HTTP_KEEP_ALIVE_TIMEOUT_MS", "SHUTDOWN_DRAIN_MS", "SHUTDOWN_TIMEOUT_MS"];
      assert.deepEqual(Object.keys(env).sort(), [...Object.keys(expected[component]), ...extra].sort(), component);
      for (const [name, value] of Object.entries(expected[component])) assert.equal(env[name], value, `${component} ${name}`);
      for (const [name, path] of Object.entries(env).filter(([n]) => n.endsWith("_FILE"))) {
        const mount = c.volumeMounts!.find((m) => path.startsWith(`${m.mountPath}/`));
        const volume = podOf(graph, component).volumes!.find((v) => v.name === mount?.name);
        assert.ok(volume?.secret, `${component} ${name}=${path} is in a Secret volume`);
        assert.ok(volume.secret.items!.some((i) => `${mount!.mountPath}/${i.path}` === path), `${component} ${name}: the Secret holds ${path}`);
      }
    }
  });
});

/** The Secret a pod's volume or an env var names, its data revealed, and whether that data is a secret input. */
function secretNamed(graph: Graph, name: string): { data: Record<string, string>; secret: boolean } {
  const found = graph.ofType("kubernetes:core/v1:Secret").find((r) => autoName(r.name) === name || reveal<{ metadata: { name?: string } }>(r.inputs).metadata.name === name);
  assert.ok(found, `no Secret ${name}`);
  return { data: reveal<{ stringData: Record<string, string> }>(found.inputs).stringData, secret: isSecretValue(found.inputs.stringData) };
}

/** The files a container reads from Secret volumes: container path → { value, secret }. */
function mountedSecretFiles(graph: Graph, pod: PodSpec, container: K8sContainer): Map<string, { value: string; secret: boolean }> {
  const files = new Map<string, { value: string; secret: boolean }>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    if (!volume?.secret) continue;
    const { data, secret } = secretNamed(graph, volume.secret.secretName);
    for (const [key, value] of Object.entries(data)) files.set(`${mount.mountPath}/${key}`, { value, secret });
  }
  return files;
}

describe("kubernetes target beyond one machine (issue 14): remote write with secrets, two Prometheus replicas, Loki on S3", () => {
  let graph: Graph;
  const token = writeTokenFile();
  after(token.cleanup);

  before(async () => {
    const { config, secrets } = loadStack("k8s", scaledOverlay("kubernetes", token.path));
    graph = await buildGraph(config, secrets);
  });

  it("Prometheus runs kubernetes.prometheusReplicas replicas, each with its pod name in POD_NAME, which the replica label expands", () => {
    const { spec } = workloadOf(graph, "prometheus");
    assert.equal(spec.spec.replicas, 2);
    assert.deepEqual(containerOf(graph, "prometheus").env, [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]);
    const prometheusYml = parseYaml(mountedFiles(graph).get("prometheus:/etc/prometheus/config/prometheus.yml")!) as { global: { external_labels: Record<string, string> } };
    assert.deepEqual(prometheusYml.global.external_labels, { cluster: "voting-prod", replica: "${POD_NAME}" });
  });

  it("two Prometheus replicas spread over the nodes as a preference and keep one up through a drain", () => {
    const pod = podOf(graph, "prometheus");
    assert.deepEqual(pod.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { [K8S_NAME_LABEL]: "prometheus" } } }]);
    assert.equal(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, undefined, "never a required anti-affinity: a one-node cluster still runs both");
    const budgets = graph.ofType("kubernetes:policy/v1:PodDisruptionBudget").map((r) => reveal<{ metadata: { name: string; namespace: string }; spec: { maxUnavailable?: number; minAvailable?: number; selector: { matchLabels: Record<string, string> } } }>(r.inputs));
    const budget = budgets.find((b) => b.metadata.name === "prometheus");
    assert.ok(budget, "a PodDisruptionBudget for Prometheus");
    assert.equal(budget.metadata.namespace, NS);
    assert.deepEqual(budget.spec, { maxUnavailable: 1, selector: { matchLabels: { [K8S_NAME_LABEL]: "prometheus" } } }, "with 2 replicas: one evicted at a time, the other scraping");
  });

  it("Prometheus gets remoteWriteFlags (metadata in the WAL for remote-write 2.0) after its own flags", () => {
    const args = containerOf(graph, "prometheus").args!;
    assert.equal(args.at(-1), "--enable-feature=metadata-wal-records");
    assert.ok(args.includes("--storage.tsdb.retention.size=16GB"), "the retention size of each replica's own volume");
  });

  it("the remote-write password and token are files of a Secret mounted where prometheus.yml names them, and nowhere else", () => {
    const prometheusYml = parseYaml(mountedFiles(graph).get("prometheus:/etc/prometheus/config/prometheus.yml")!) as { remote_write: Array<{ name: string; basic_auth?: { password_file: string }; authorization?: { credentials_file: string } }> };
    const named = prometheusYml.remote_write.map((w) => w.basic_auth?.password_file ?? w.authorization?.credentials_file);
    assert.deepEqual(named, ["/etc/prometheus/secrets/mimir-remote-write-password", "/etc/prometheus/secrets/vm-remote-write-token"]);
    const files = mountedSecretFiles(graph, podOf(graph, "prometheus"), containerOf(graph, "prometheus"));
    assert.deepEqual([...files.keys()].sort(), named);
    assert.deepEqual(files.get(named[0]!), { value: mockSecret("mimirPassword"), secret: true }, "the Pulumi secret, as a secret input");
    assert.deepEqual(files.get(named[1]!), { value: VM_TOKEN, secret: true }, "the token file's text (trimmed), as a secret input");
    const mount = containerOf(graph, "prometheus").volumeMounts!.find((m) => m.mountPath === "/etc/prometheus/secrets");
    assert.equal(mount?.readOnly, true);
    const volume = podOf(graph, "prometheus").volumes!.find((v) => v.name === mount.name) as { secret: { defaultMode?: number } };
    assert.equal(volume.secret.defaultMode, 0o440, "readable by Prometheus' group (fsGroup), nobody else");
    for (const component of workloads(graph).map((w) => w.spec.metadata.name as Component).filter((c) => c !== "prometheus")) {
      for (const path of mountedSecretFiles(graph, podOf(graph, component), containerOf(graph, component)).keys()) assert.ok(!path.includes("remote-write"), `${component} mounts ${path}`);
    }
  });

  it("Loki expands its config's ${LOKI_S3_*} from variables set by secretKeyRef from a Secret, never as values", () => {
    const loki = containerOf(graph, "loki");
    assert.deepEqual(loki.args, ["-config.file=/etc/loki/config/loki.yaml", "-config.expand-env=true"]);
    const lokiYaml = mountedFiles(graph).get("loki:/etc/loki/config/loki.yaml")!;
    const named = [...lokiYaml.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(named, ["LOKI_S3_ACCESS_KEY_ID", "LOKI_S3_SECRET_ACCESS_KEY"]);
    const env = (loki.env ?? []) as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
    assert.deepEqual(env.map((e) => e.name).sort(), named);
    const expected: Record<string, string> = { LOKI_S3_ACCESS_KEY_ID: mockSecret("lokiS3AccessKeyId"), LOKI_S3_SECRET_ACCESS_KEY: mockSecret("lokiS3SecretAccessKey") };
    for (const variable of env) {
      assert.equal(variable.value, undefined, `${variable.name} is not a value in the pod spec`);
      const ref = variable.valueFrom?.secretKeyRef;
      assert.ok(ref, `${variable.name} comes from a Secret`);
      const { data, secret } = secretNamed(graph, ref.name);
      assert.equal(secret, true, `${ref.name} holds secret inputs`);
      assert.equal(data[ref.key], expected[variable.name], `${variable.name} → ${ref.name}/${ref.key}`);
    }
    const secret = graph.ofType("kubernetes:core/v1:Secret").find((r) => autoName(r.name) === env[0].valueFrom!.secretKeyRef!.name)!;
    assert.equal(secret.inputs.immutable, true, "a changed key replaces the Secret under a new name, so the pods roll and read it");
  });

  it("no secret value of the stores is plain text anywhere, and every pod still meets restricted", () => {
    for (const resource of graph.resources) {
      for (const { path, text } of plainStrings(resource.inputs)) for (const value of SCALED_SECRET_VALUES) assert.ok(!text.includes(value), `${resource.type} ${resource.name} ${path} holds a secret in plain text`);
    }
    for (const { spec } of workloads(graph).filter((w) => w.spec.metadata.namespace === NS)) assert.deepEqual(restrictedViolations(spec.spec.template.spec), [], spec.metadata.name);
  });

  it("Grafana's Prometheus datasource is the store's query URL", () => {
    const datasources = parseYaml(mountedFiles(graph).get("grafana:/etc/grafana/provisioning/datasources/voteobs.yaml")!) as { datasources: Array<{ type: string; url: string }> };
    assert.equal(datasources.datasources.find((d) => d.type === "prometheus")!.url, "https://mimir.example.com/prometheus");
  });
});

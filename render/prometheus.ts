import { COMPONENTS, type Component } from "../config/components";
import type { StackConfig } from "../config/schema";
import { METRIC_SOURCES } from "../queries/metrics";
import { oneOf } from "../queries/promql";
import { alertRelabelConfigs, externalLabels } from "./prometheus-replicas";
import { renderRemoteWrite } from "./remote-write";
import { yamlFile } from "./text";
import { CADVISOR_SERVICE_LABEL, CADVISOR_STACK_LABEL, SCRAPED_SERVICE, type ScrapeDiscovery, type Topology } from "./topology/types";

/** Our services expose `service` themselves; honouring it keeps their series and `up` aligned. */
const HONOR_LABELS: readonly Component[] = ["vote", "worker", "result"];

/** prometheus.yml: global settings, rule files, Alertmanagers, remote writes and one scrape job per component. */
export function renderPrometheusConfig(config: StackConfig, topology: Topology, ruleFileNames: readonly string[]): string {
  const p = config.prometheus;
  const document = {
    global: {
      scrape_interval: p.scrapeInterval,
      scrape_timeout: p.scrapeTimeout,
      evaluation_interval: p.evaluationInterval,
      external_labels: externalLabels(config, topology),
    },
    rule_files: ruleFileNames.map((name) => `${topology.paths.prometheusRules}/${name}.yml`),
    alerting: {
      alert_relabel_configs: alertRelabelConfigs(config, topology),
      alertmanagers: [{ api_version: "v2", static_configs: [{ targets: topology.urls.alertmanagers }] }],
    },
    remote_write: renderRemoteWrite(config, topology),
    scrape_configs: COMPONENTS.flatMap((component) => {
      const discovery = topology.scrape[component];
      return discovery ? [scrapeJob(config, topology, component, discovery)] : [];
    }),
  };
  return yamlFile(document);
}

function scrapeJob(config: StackConfig, topology: Topology, component: Component, discovery: ScrapeDiscovery): Record<string, unknown> {
  const limits = { ...config.prometheus.limits, ...config.prometheus.jobLimits[component] };
  const service = SCRAPED_SERVICE[component];
  const job: Record<string, unknown> = { job_name: component };
  if (HONOR_LABELS.includes(component)) job.honor_labels = true;
  if ("metricsPath" in discovery && discovery.metricsPath) job.metrics_path = discovery.metricsPath;
  job.sample_limit = limits.sampleLimit;
  job.label_limit = limits.labelLimit;
  job.label_value_length_limit = limits.labelValueLengthLimit;

  switch (discovery.kind) {
    case "static":
      job.static_configs = [{ targets: discovery.targets, labels: { service } }];
      break;
    case "kubernetes-service":
      // EndpointSlices (the endpoints role reads the Endpoints API, deprecated since Kubernetes 1.33).
      job.kubernetes_sd_configs = [{ role: "endpointslice", namespaces: { names: [discovery.namespace] } }];
      job.relabel_configs = [
        { source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"], regex: `${discovery.service};${discovery.port}`, action: "keep" },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { target_label: "service", replacement: service },
      ];
      break;
    case "kubelet-cadvisor":
      job.scheme = "https";
      job.metrics_path = "/metrics/cadvisor";
      job.authorization = { credentials_file: "/var/run/secrets/kubernetes.io/serviceaccount/token" };
      job.tls_config = { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", insecure_skip_verify: true };
      job.kubernetes_sd_configs = [{ role: "node" }];
      job.relabel_configs = [{ target_label: "service", replacement: service }];
      break;
  }
  if (component === "cadvisor") job.metric_relabel_configs = containerRelabelling(topology);
  return job;
}

/**
 * Keep only the cAdvisor series of our containers and the metrics the queries use, with the
 * container's service as `service` (docker: its label, kubernetes: its container name). On Docker
 * "ours" means labelled with this stack: cAdvisor reports every container of the engine, and
 * another stack's would otherwise count as this one's services.
 */
function containerRelabelling(topology: Topology): Record<string, unknown>[] {
  const keepMetrics = { source_labels: ["__name__"], regex: oneOf(METRIC_SOURCES.cadvisor), action: "keep" };
  if (topology.containers.kind === "kubernetes") {
    return [
      keepMetrics,
      { source_labels: ["namespace", "container"], regex: `(?:${oneOf(topology.containers.namespaces)});(.+)`, action: "keep" },
      { source_labels: ["container"], regex: "POD", action: "drop" },
      { source_labels: ["container"], target_label: "service" },
      { regex: "id|image|name", action: "labeldrop" },
    ];
  }
  if (topology.containers.kind === "none") return [keepMetrics];
  return [
    keepMetrics,
    { source_labels: [CADVISOR_STACK_LABEL], regex: oneOf([topology.containers.stack]), action: "keep" },
    { source_labels: [CADVISOR_SERVICE_LABEL], regex: "(.+)", action: "keep" },
    { source_labels: [CADVISOR_SERVICE_LABEL], target_label: "service" },
    { regex: "container_label_.*|image", action: "labeldrop" },
  ];
}

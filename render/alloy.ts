import type { StackConfig } from "../config/schema";
import { header } from "./text";
import { K8S_NAME_LABEL, SERVICE_LABEL, type Topology } from "./topology/types";

/**
 * Alloy config shipping the logs of every container to Loki. Streams are labelled `service`,
 * `container` and a normalised `level`; nothing high-cardinality becomes a label.
 */
export function renderAlloyConfig(config: StackConfig, topology: Topology): string {
  const labels = new Set(config.loki.labels);
  const source = logSource(topology);
  const keepLabels = [...labels].filter((l) => l !== "level");
  return `${header("//")}
${source}

// Our services write JSON lines ({"level": ..., "msg": ...}); Prometheus, Alertmanager, Loki and
// Grafana write logfmt (level=...). Either way the level becomes a label, in lower case.
loki.process "levels" {
  forward_to = [loki.write.default.receiver]

  stage.json {
    expressions = { level = "level" }
  }
  stage.logfmt {
    mapping = { level = "" }
  }
  stage.regex {
    expression = "(?i)^(?:\\\\S+ )*?(?P<pglevel>ERROR|FATAL|PANIC|WARNING|LOG):"
  }
  stage.template {
    source   = "level"
    template = "{{ if .level }}{{ ToLower .level }}{{ else if .pglevel }}{{ ToLower .pglevel }}{{ end }}"
  }
  stage.replace {
    source     = "level"
    expression = "^(warning)$"
    replace    = "warn"
  }
  stage.replace {
    source     = "level"
    expression = "^(err|panic|crit|critical)$"
    replace    = "error"
  }
  stage.replace {
    source     = "level"
    expression = "^(log)$"
    replace    = "info"
  }
${labels.has("level") ? `  stage.labels {\n    values = { level = "" }\n  }\n` : ""}  stage.label_keep {
    values = [${[...keepLabels, ...(labels.has("level") ? ["level"] : [])].map((l) => `"${l}"`).join(", ")}]
  }
}

loki.write "default" {
  endpoint {
    url = "${topology.urls.loki}/loki/api/v1/push"
  }
}
`;
}

function logSource(topology: Topology): string {
  switch (topology.logs.kind) {
    case "docker":
      return `// Every container of the Docker host; the voteobs.service label names its service.
discovery.docker "containers" {
  host = "${topology.logs.socket}"
}

discovery.relabel "containers" {
  targets = discovery.docker.containers.targets

  rule {
    source_labels = ["__meta_docker_container_label_${SERVICE_LABEL.replace(/\./g, "_")}"]
    target_label  = "service"
  }
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/?(.*)"
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_docker_container_log_stream"]
    target_label  = "stream"
  }
}

loki.source.docker "containers" {
  host          = "${topology.logs.socket}"
  targets       = discovery.docker.containers.targets
  relabel_rules = discovery.relabel.containers.rules
  forward_to    = [loki.process.levels.receiver]
}`;
    case "kubernetes":
      return `// Every pod of the namespace; the ${K8S_NAME_LABEL} label names its service.
discovery.kubernetes "pods" {
  role = "pod"
  namespaces {
    names = ["${topology.logs.namespace}"]
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets

  rule {
    source_labels = ["__meta_kubernetes_pod_label_${K8S_NAME_LABEL.replace(/[./-]/g, "_")}"]
    target_label  = "service"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_node_name"]
    regex         = "(.*)"
    action        = "keep"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.process.levels.receiver]
}`;
    case "none":
      return "// This target runs no containers: the services ship their own logs (LOKI_URL).";
  }
}

import type { Component } from "../config/components";
import type { StackConfig } from "../config/schema";
import { header } from "./text";
import { K8S_NAME_LABEL, SERVICE_LABEL, STACK_LABEL, type Topology } from "./topology/types";

/**
 * Grafana Alloy's config: it reads the stdout/stderr of every container of the stack (Docker
 * socket on the Docker target, the Kubernetes API on Kubernetes) and pushes it to Loki, with
 * the stream labels `service`, `container`, a normalised `level` (and `stream` when configured)
 * and nothing else: request ids, routes, statuses and voter ids stay in the line, where
 * `| json` or `| logfmt` finds them at query time.
 */
export function renderAlloyConfig(config: StackConfig, topology: Topology): string {
  if (topology.logs.kind === "none") {
    return `${header("//")}
// This target runs no containers, so Alloy has nothing to read: the local target writes each
// service's output to <state>/logs/<service>.log instead of Loki.
`;
  }
  const kubernetes = topology.logs.kind === "kubernetes";
  const source = topology.logs.kind === "docker" ? dockerSource(topology.logs.host, topology.logs.stack) : kubernetesSource(topology.logs.namespaces);
  return `${header("//")}
logging {
  level  = "info"
  format = "logfmt"
}

${source}

${processBlock(config.loki.labels, kubernetes ? ["pod"] : [])}

loki.write "default" {
  endpoint {
    url = ${str(`${topology.urls.loki}/loki/api/v1/push`)}
  }
}
`;
}

/**
 * Environment variable holding the node an Alloy pod runs on (the downward API's spec.nodeName).
 * On Kubernetes Alloy runs as a DaemonSet and each replica reads only the pods of its own node,
 * so no line is read twice.
 */
export const ALLOY_NODE_ENV = "NODE_NAME";

/** How each component writes its lines, which decides how its level is read. */
export type LogFormat = "json" | "logfmt" | "postgres" | "redis" | "klog";

const LOG_FORMATS: Record<Component, LogFormat> = {
  // Our services: one JSON object per line ({"ts", "level", "service", "msg", ...}).
  vote: "json",
  worker: "json",
  result: "json",
  // Go programs of the Prometheus and Grafana families: level=... (go-kit, slog, logrus, Grafana's logger).
  prometheus: "logfmt",
  alertmanager: "logfmt",
  grafana: "logfmt",
  loki: "logfmt",
  alloy: "logfmt",
  "redis-exporter": "logfmt",
  "postgres-exporter": "logfmt",
  "node-exporter": "logfmt",
  // Go's log/slog text handler: time=... level=INFO msg="..."
  "docker-socket-proxy": "logfmt",
  // "2024-06-01 10:00:00.123 UTC [1] LOG:  database system is ready to accept connections"
  postgres: "postgres",
  // "1:M 01 Jun 2024 10:00:00.123 * Ready to accept connections tcp" (. debug, - verbose, * notice, # warning)
  redis: "redis",
  // "I0601 10:00:00.123456       1 manager.go:123] ..." (klog: I, W, E, F)
  cadvisor: "klog",
};

/** Regexes (RE2, Alloy's stage.regex) that capture the level of the non-key=value formats. */
const LEVEL_PATTERNS: Record<Exclude<LogFormat, "json" | "logfmt">, string> = {
  postgres: String.raw`^\d{4}-\d{2}-\d{2} [\d:.]+ \S+ \[\d+\] (?P<level>[A-Z]+[1-5]?):`,
  redis: String.raw`^\d+:[XCSM] \d{1,2} [A-Z][a-z]{2} \d{4} [\d:.]+ (?P<level>[.*#-]) `,
  klog: String.raw`^(?P<level>[IWEF])\d{4} `,
};

/** The levels a `level` label may take, and the spellings (lower-cased) each collects. */
const LEVELS = {
  debug: ["debug", "trace", "verbose", "silly", "debug1", "debug2", "debug3", "debug4", "debug5", "dbug", ".", "-"],
  info: ["info", "information", "notice", "log", "http", "*", "i"],
  warn: ["warn", "warning", "#", "w"],
  error: ["error", "err", "eror", "e"],
  fatal: ["fatal", "panic", "crit", "critical", "alert", "emerg", "f"],
} as const;
export type Level = keyof typeof LEVELS;

/** Go template mapping the extracted level to one of LEVELS; anything else gives no level label. */
function levelTemplate(): string {
  const branches = Object.entries(LEVELS).map(([level, spellings], i) => `{{ ${i === 0 ? "if" : "else if"} eq $l ${spellings.map((s) => JSON.stringify(s)).join(" ")} }}${level}`);
  return `{{ if .Value }}{{ $l := ToLower .Value }}${branches.join("")}{{ end }}{{ end }}`;
}

function parseStage(format: LogFormat): string {
  switch (format) {
    case "json":
      return `stage.json {\n      expressions = { level = "" }\n    }`;
    case "logfmt":
      return `stage.logfmt {\n      mapping = { level = "" }\n    }`;
    default:
      return `stage.regex {\n      expression = ${str(LEVEL_PATTERNS[format])}\n    }`;
  }
}

/** Components per format, in a stable order, for one stage.match per format. */
function componentsByFormat(): Array<[LogFormat, Component[]]> {
  const groups = new Map<LogFormat, Component[]>();
  for (const [component, format] of Object.entries(LOG_FORMATS) as Array<[Component, LogFormat]>) {
    groups.set(format, [...(groups.get(format) ?? []), component]);
  }
  return [...groups.entries()];
}

/** `metadata`: labels moved into Loki's structured metadata (kept with each line, not indexed). */
function processBlock(labels: readonly string[], metadata: readonly string[]): string {
  const matches = componentsByFormat().map(
    ([format, components]) => `  stage.match {
    selector = ${str(`{service=~"${components.join("|")}"}`)}
    ${parseStage(format)}
  }`,
  );
  const keep = labels.filter((l) => l !== "level");
  const levelStages = labels.includes("level")
    ? `
  stage.template {
    source   = "level"
    template = ${str(levelTemplate())}
  }
  stage.labels {
    values = { level = "" }
  }
`
    : "";
  const metadataStage =
    metadata.length === 0
      ? ""
      : `
  // Which replica wrote the line, without a stream per pod: query it with | pod="...".
  stage.structured_metadata {
    values = { ${metadata.map((m) => `${m} = ""`).join(", ")} }
  }
`;
  return `// The level of each line, read the way its component writes it, becomes a label in lower case
// (debug, info, warn, error, fatal); a line whose level cannot be read gets none. Then every label
// but the configured ones is dropped (loki.source.kubernetes adds job and instance, for one).
loki.process "levels" {
  forward_to = [loki.write.default.receiver]

${matches.join("\n\n")}
${levelStages}${metadataStage}
  stage.label_keep {
    values = [${[...keep, ...(labels.includes("level") ? ["level"] : [])].map(str).join(", ")}]
  }
}`;
}

/**
 * The Docker Engine API calls Alloy's Docker components make (Alloy v1.15: discovery.docker is
 * Prometheus' Docker SD, loki.source.docker its tailer), each a read. The Docker target's API
 * proxy allows exactly these, with or without the `/v1.NN` version prefix; `{id}` is one path
 * segment, a container id or name.
 */
export const DOCKER_API_READS = {
  /** API version negotiation of the Docker client (HEAD first, GET when HEAD is refused). */
  HEAD: ["/_ping"],
  GET: [
    "/_ping",
    // discovery.docker: the containers (filtered by the daemon) and the networks they join.
    "/containers/json",
    "/networks",
    // loki.source.docker: each container's config (is it a TTY?) and its log stream.
    "/containers/{id}/json",
    "/containers/{id}/logs",
  ],
} as const;

function dockerSource(host: string, stack: string): string {
  const serviceLabel = `__meta_docker_container_label_${SERVICE_LABEL.replace(/[^a-zA-Z0-9_]/g, "_")}`;
  return `// The containers of this stack only (${STACK_LABEL}=${stack}: the Docker daemon filters the list,
// so another stack on the same engine is never read), through the read-only Docker API proxy, and
// of those the ones that carry ${SERVICE_LABEL}.
discovery.docker "containers" {
  host = ${str(host)}

  filter {
    name   = "label"
    values = [${str(`${STACK_LABEL}=${stack}`)}]
  }
}

discovery.relabel "ours" {
  targets = discovery.docker.containers.targets

  rule {
    source_labels = [${str(serviceLabel)}]
    regex         = ".+"
    action        = "keep"
  }
}

// Applied by loki.source.docker to each stream, after it adds the stream name (stdout/stderr).
discovery.relabel "stream_labels" {
  targets = []

  rule {
    source_labels = [${str(serviceLabel)}]
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
  host          = ${str(host)}
  targets       = discovery.relabel.ours.output
  relabel_rules = discovery.relabel.stream_labels.rules
  forward_to    = [loki.process.levels.receiver]
}`;
}

function kubernetesSource(namespaces: readonly string[]): string {
  const nameLabel = `__meta_kubernetes_pod_label_${K8S_NAME_LABEL.replace(/[^a-zA-Z0-9_]/g, "_")}`;
  return `// Every pod of the stack's namespaces that carries ${K8S_NAME_LABEL} (the stack's own) and runs on
// this Alloy's node (${ALLOY_NODE_ENV}, set by the DaemonSet), read through the Kubernetes API: each
// node's replica reads its own pods, so every line is read once. Where each pod has been read up to is
// kept in Alloy's storage path, a hostPath, so a restarted Alloy goes on where it stopped.
discovery.kubernetes "pods" {
  role = "pod"

  namespaces {
    names = [${namespaces.map(str).join(", ")}]
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets

  rule {
    source_labels = [${str(nameLabel)}]
    regex         = ".+"
    action        = "keep"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_node_name"]
    regex         = sys.env(${str(ALLOY_NODE_ENV)})
    action        = "keep"
  }
  rule {
    source_labels = [${str(nameLabel)}]
    target_label  = "service"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.process.levels.receiver]
}`;
}

/** An Alloy string literal (its escapes are JSON's: \\, \", \n, \uXXXX). */
function str(text: string): string {
  return JSON.stringify(text);
}

import { durationSeconds, type Duration } from "./duration";
import { at, pulumiPath } from "./errors";
import { REMOTE_STORES, RESERVED_HEADERS, TENANT_HEADERS } from "./remote-stores";
import type { StackConfig } from "./schema";
import { remoteWriteName } from "./secrets";

/**
 * Rules that relate one field to another; the schema checks each field alone. Each problem
 * names the field path, the bad value and what is allowed.
 */
export function crossFieldProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  const { prometheus, alerts, alerting } = config;
  const scrape = durationSeconds(prometheus.scrapeInterval);

  if (durationSeconds(prometheus.scrapeTimeout) > scrape) {
    problems.push(`${at("prometheus.scrapeTimeout")}: ${prometheus.scrapeTimeout} is longer than prometheus.scrapeInterval (${prometheus.scrapeInterval}); it must be at most the interval`);
  }

  const fors: Array<[string, Duration]> = [
    ["alerts.voteErrorRatio.for", alerts.voteErrorRatio.for],
    ["alerts.slo.pageFor", alerts.slo.pageFor],
    ["alerts.slo.ticketFor", alerts.slo.ticketFor],
    ["alerts.voteLatency.for", alerts.voteLatency.for],
    ["alerts.queue.for", alerts.queue.for],
    ["alerts.queue.stalledFor", alerts.queue.stalledFor],
    ["alerts.cpu.for", alerts.cpu.for],
    ["alerts.memory.for", alerts.memory.for],
    ["alerts.restarts.for", alerts.restarts.for],
    ["alerts.targetDown.for", alerts.targetDown.for],
    ["alerts.serviceDown.for", alerts.serviceDown.for],
    ["alerts.dependencyUnreachable.for", alerts.dependencyUnreachable.for],
    ["alerts.deadLetters.for", alerts.deadLetters.for],
    ["alerts.selfMonitoring.for", alerts.selfMonitoring.for],
    ["alerts.faultInjection.for", alerts.faultInjection.for],
  ];
  for (const [path, value] of fors) {
    if (durationSeconds(value) < scrape) {
      problems.push(`${at(path)}: ${value} is shorter than prometheus.scrapeInterval (${prometheus.scrapeInterval}); an alert cannot hold for less than one scrape, use at least ${prometheus.scrapeInterval}`);
    }
  }

  const windows: Array<[string, Duration]> = [
    ["alerts.voteErrorRatio.window", alerts.voteErrorRatio.window],
    ["alerts.voteLatency.window", alerts.voteLatency.window],
    ["alerts.queue.window", alerts.queue.window],
    ["alerts.cpu.window", alerts.cpu.window],
    ["alerts.restarts.window", alerts.restarts.window],
    ["alerts.queue.stalledWindow", alerts.queue.stalledWindow],
    ["alerts.deadLetters.window", alerts.deadLetters.window],
    ["alerts.selfMonitoring.notificationWindow", alerts.selfMonitoring.notificationWindow],
    ["alerts.selfMonitoring.reloadWindow", alerts.selfMonitoring.reloadWindow],
    ["alerts.selfMonitoring.failureWindow", alerts.selfMonitoring.failureWindow],
    ["alerts.selfMonitoring.logLossWindow", alerts.selfMonitoring.logLossWindow],
  ];
  for (const [path, value] of windows) {
    if (durationSeconds(value) < 2 * scrape) {
      problems.push(`${at(path)}: ${value} holds fewer than two scrapes at prometheus.scrapeInterval ${prometheus.scrapeInterval}; rate() needs at least ${2 * scrape}s (4 scrapes recommended)`);
    }
  }

  if (durationSeconds(alerts.slo.period) < 3 * 86400) {
    problems.push(`${at("alerts.slo.period")}: ${alerts.slo.period} is shorter than the longest burn-rate window (3d); use at least 3d (30d is usual)`);
  }

  if (durationSeconds(alerts.dependencyUnreachable.for) <= durationSeconds(alerts.serviceDown.for)) {
    problems.push(`${at("alerts.dependencyUnreachable.for")}: ${alerts.dependencyUnreachable.for} is not longer than alerts.serviceDown.for (${alerts.serviceDown.for}); RedisDown and PostgresDown must fire first to silence it, so make it longer`);
  }
  if (durationSeconds(alerts.targetDown.for) <= durationSeconds(alerts.serviceDown.for)) {
    problems.push(`${at("alerts.targetDown.for")}: ${alerts.targetDown.for} is not longer than alerts.serviceDown.for (${alerts.serviceDown.for}); when every target is down ServiceDown must fire first to silence TargetDown, so make it longer`);
  }

  if (durationSeconds(config.loki.retention) < 86400) {
    problems.push(`${at("loki.retention")}: ${config.loki.retention} is below Loki's minimum retention of 24h; use at least 24h`);
  }

  const latency = alerts.voteLatency;
  if (durationSeconds(latency.p95) > durationSeconds(latency.p99)) {
    problems.push(`${at("alerts.voteLatency.p95")}: ${latency.p95} is above alerts.voteLatency.p99 (${latency.p99}); the p95 threshold must not exceed the p99 one`);
  }

  const seen = new Map<string, number>();
  alerting.receivers.forEach((receiver, index) => {
    const first = seen.get(receiver.name);
    if (first !== undefined) {
      problems.push(`${pulumiPath(["alerting", "receivers", index, "name"])}: "${receiver.name}" is already the name of alerting.receivers[${first}]; receiver names must be unique`);
    } else {
      seen.set(receiver.name, index);
    }
    if (receiver.type === "email" && (receiver.authUsername === undefined) !== (receiver.authPassword === undefined)) {
      problems.push(`${pulumiPath(["alerting", "receivers", index])} (email "${receiver.name}"): authUsername and authPassword go together; give both (authPassword as { secret } or { file }) or neither`);
    }
  });
  for (const name of ["deadmansswitch", "blackhole"]) {
    if (seen.has(name)) problems.push(`${pulumiPath(["alerting", "receivers", seen.get(name)!, "name"])}: "${name}" is reserved for the Watchdog route; choose another name`);
  }

  if (config.app.faultInjection.errorRatio > 0 && !config.app.faultInjection.enabled) {
    problems.push(`${at("app.faultInjection.errorRatio")}: ${config.app.faultInjection.errorRatio} has no effect while app.faultInjection.enabled is false; enable it or set the ratio to 0`);
  }
  problems.push(...remoteWriteProblems(config), ...replicaProblems(config), ...lokiStorageProblems(config));
  return problems;
}

/** Header names that carry credentials; their values would sit in plain config and in prometheus.yml. */
const CREDENTIAL_HEADER = /authorization|token|api[-_]?key|secret|password|cookie/i;

function remoteWriteProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  const { remoteWrite, externalLabels } = config.prometheus;
  const names = new Map<string, number>();
  remoteWrite.forEach((entry, index) => {
    const path = (...rest: PropertyKey[]) => pulumiPath(["prometheus", "remoteWrite", index, ...rest]);
    const store = REMOTE_STORES[entry.kind];
    const name = remoteWriteName(entry);
    const first = names.get(name);
    if (first !== undefined) {
      problems.push(`${path(entry.name ? "name" : "kind")}: the name "${name}" is already taken by prometheus.remoteWrite[${first}]${entry.name ? "" : " (an entry without a name goes by its kind)"}; give each entry a unique name`);
    } else {
      names.set(name, index);
    }

    const url = new URL(entry.url);
    if (url.username !== "" || url.password !== "") {
      problems.push(`${path("url")}: holds credentials (user:password@) in plain text; remove them from the URL and set auth: { type: basic, username: "${decodeURIComponent(url.username)}", password: { secret: "<pulumi config key>" } } (or { file: "<path>" })`);
    }

    for (const [header, value] of Object.entries(entry.headers)) {
      const lower = header.toLowerCase();
      if (lower === "authorization" || /^(bearer|basic)\s/i.test(value.trim())) {
        problems.push(`${path("headers", header)}: a secret written in plain text; credentials go in auth as a secret reference: auth: { type: bearer, token: { secret: "<pulumi config key>" } } or { type: basic, username, password: { secret } }`);
      } else if (RESERVED_HEADERS.includes(lower)) {
        problems.push(`${path("headers", header)}: Prometheus sets ${header} itself and refuses to send another; remove it`);
      } else if (CREDENTIAL_HEADER.test(header)) {
        problems.push(`${path("headers", header)}: looks like a credential, and headers are plain config rendered into prometheus.yml; use auth (basic or bearer) with a secret reference instead`);
      }
    }

    const tenantHeader = Object.keys(entry.headers).find((h) => TENANT_HEADERS.has(h.toLowerCase()));
    if (tenantHeader !== undefined && entry.auth.type === "none" && store.tenantNeedsAuth) {
      problems.push(
        `${path("headers", tenantHeader)}: a tenant header on an endpoint without auth; ${store.title} trusts ${store.tenantHeader} as given and expects an authenticating gateway in front, so without credentials anyone could write as tenant "${entry.headers[tenantHeader]}". Set auth to basic or bearer with a secret reference (kind "generic" skips this check for a store that needs none)`,
      );
    }
    if (store.requiredAuth === "basic" && entry.auth.type !== "basic") {
      problems.push(`${path("auth")}: ${store.title} requires basic auth: auth: { type: basic, username: "<instance ID>", password: { secret: "<pulumi config key of an access policy token>" } }`);
    }

    const q = entry.queue;
    if (q.minShards > q.maxShards) problems.push(`${path("queue", "minShards")}: ${q.minShards} is above queue.maxShards (${q.maxShards}); it must be at most maxShards`);
    if (durationSeconds(q.minBackoff) > durationSeconds(q.maxBackoff)) problems.push(`${path("queue", "minBackoff")}: ${q.minBackoff} is longer than queue.maxBackoff (${q.maxBackoff}); it must be at most maxBackoff`);

    const w = entry.writeRelabel;
    if (w.metrics === "all" && w.extraMetrics.length > 0) problems.push(`${path("writeRelabel", "extraMetrics")}: has no effect with writeRelabel.metrics "all" (everything is sent); remove it or use metrics "used"`);
    const kept = new Set(["__name__", "job", "service", ...Object.keys(externalLabels), ...(config.kubernetes.prometheusReplicas > 1 ? ["replica"] : [])]);
    for (const label of w.dropLabels) {
      if (kept.has(label)) problems.push(`${path("writeRelabel", "dropLabels")}: "${label}" cannot be dropped: ${label === "__name__" ? "it is the metric name" : Object.hasOwn(externalLabels, label) || label === "replica" ? "it is an external label that keeps this stack's series apart in the store" : "the dashboards and alerts select by it"}`);
    }
  });

  if (remoteWrite.length > 0 && Object.keys(externalLabels).length === 0) {
    problems.push(`${at("prometheus.externalLabels")}: is empty while prometheus.remoteWrite sends to a shared store; give at least { cluster: "<this stack's name>" } so its series stay apart from other stacks'`);
  }
  if (config.grafana.metricsQueryUrl !== undefined && remoteWrite.length === 0) {
    problems.push(`${at("grafana.metricsQueryUrl")}: points Grafana at a store no Prometheus of this stack writes to; add the store to prometheus.remoteWrite, or leave metricsQueryUrl unset to query this stack's Prometheus`);
  }
  return problems;
}

function replicaProblems(config: StackConfig): string[] {
  const replicas = config.kubernetes.prometheusReplicas;
  if (replicas === 1) return [];
  const problems: string[] = [];
  if (config.target === "docker") {
    problems.push(`${at("kubernetes.prometheusReplicas")}: ${replicas} replicas need target "kubernetes"; the Docker target runs one Prometheus (set voteobs:target to kubernetes, or prometheusReplicas to 1)`);
  }
  if (Object.hasOwn(config.prometheus.externalLabels, "replica")) {
    problems.push(`${at("prometheus.externalLabels")}: "replica" is set per pod when kubernetes.prometheusReplicas is above 1 (replica: <pod name>); remove it from externalLabels`);
  }
  return problems;
}

function lokiStorageProblems(config: StackConfig): string[] {
  const storage = config.loki.storage;
  if (storage.type !== "s3") return [];
  const problems: string[] = [];
  if ((storage.accessKeyId === undefined) !== (storage.secretAccessKey === undefined)) {
    problems.push(`${at("loki.storage")}: accessKeyId and secretAccessKey go together; give both (each as { secret } or { file }), or neither to use the AWS default credentials (IAM role, IRSA)`);
  }
  if (storage.endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/i.test(storage.endpoint)) {
    problems.push(`${at("loki.storage.endpoint")}: ${JSON.stringify(storage.endpoint)} has a path or query; give only the scheme, host and port, e.g. "http://minio:9000" (the bucket goes in loki.storage.bucket)`);
  }
  if (storage.endpoint === undefined && storage.region === undefined) {
    problems.push(`${at("loki.storage.region")}: is required when loki.storage.endpoint is not given (AWS S3 is found by its region, e.g. "eu-west-1"); for MinIO or another S3-compatible store give endpoint, e.g. "http://minio:9000"`);
  }
  return problems;
}

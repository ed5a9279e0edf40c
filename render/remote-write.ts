import { buildRuleFiles, isAlert } from "../alert-rules";
import { REMOTE_WRITE_MESSAGES } from "../config/remote-stores";
import type { RemoteWriteEntry, StackConfig } from "../config/schema";
import { remoteWriteName, remoteWritePasswordFile, remoteWriteTokenFile } from "../config/secrets";
import { KNOWN_METRICS } from "../queries/metrics";
import { oneOf } from "../queries/promql";
import { sorted } from "./text";
import type { Topology } from "./topology/types";

/**
 * The `remote_write` section of prometheus.yml, the same on every target: one entry per
 * `prometheus.remoteWrite`, credentials only as file paths in Prometheus' secrets folder
 * (each target places the files, see config/secrets.ts), undefined when there is none.
 * Every key is checked against docs/configuration/configuration.md of Prometheus v3.16.0.
 */
export function renderRemoteWrite(config: StackConfig, topology: Topology): Record<string, unknown>[] | undefined {
  const entries = config.prometheus.remoteWrite;
  if (entries.length === 0) return undefined;
  const used = usedMetrics(config);
  return entries.map((entry) => remoteWriteEntry(entry, topology, used));
}

function remoteWriteEntry(entry: RemoteWriteEntry, topology: Topology, used: readonly string[]): Record<string, unknown> {
  const secrets = topology.paths.prometheusSecrets;
  const out: Record<string, unknown> = {
    name: remoteWriteName(entry),
    url: entry.url,
    protobuf_message: REMOTE_WRITE_MESSAGES[entry.protocol],
    remote_timeout: entry.remoteTimeout,
  };
  if (Object.keys(entry.headers).length > 0) out.headers = sorted(entry.headers);
  if (entry.auth.type === "basic") out.basic_auth = { username: entry.auth.username, password_file: `${secrets}/${remoteWritePasswordFile(entry)}` };
  if (entry.auth.type === "bearer") out.authorization = { type: "Bearer", credentials_file: `${secrets}/${remoteWriteTokenFile(entry)}` };
  const relabel = writeRelabelConfigs(entry, used);
  if (relabel.length > 0) out.write_relabel_configs = relabel;
  const q = entry.queue;
  out.queue_config = {
    capacity: q.capacity,
    max_shards: q.maxShards,
    min_shards: q.minShards,
    max_samples_per_send: q.maxSamplesPerSend,
    batch_send_deadline: q.batchSendDeadline,
    min_backoff: q.minBackoff,
    max_backoff: q.maxBackoff,
    retry_on_http_429: q.retryOnRateLimit,
  };
  return out;
}

/** The typed allow-list as relabel rules: keep the used metrics (and the extra ones), then drop the listed labels. */
function writeRelabelConfigs(entry: RemoteWriteEntry, used: readonly string[]): Record<string, unknown>[] {
  const w = entry.writeRelabel;
  const rules: Record<string, unknown>[] = [];
  if (w.metrics === "used") {
    const names = [...new Set([...used, ...w.extraMetrics])].sort();
    rules.push({ source_labels: ["__name__"], regex: oneOf(names), action: "keep" });
  }
  if (w.dropLabels.length > 0) rules.push({ regex: oneOf([...new Set(w.dropLabels)].sort()), action: "labeldrop" });
  return rules;
}

/**
 * Every metric this stack reads: the metric contract of the queries behind alerts, dashboards and
 * `npm run status` (queries/metrics.ts), the series the recording rules write, and ALERTS.
 */
export function usedMetrics(config: StackConfig): string[] {
  const records = buildRuleFiles(config).flatMap((file) => file.groups.flatMap((group) => group.rules.flatMap((rule) => (isAlert(rule) ? [] : [rule.record]))));
  return [...new Set([...KNOWN_METRICS, ...records, "ALERTS"])].sort();
}

/**
 * Flags every target gives Prometheus for its remote writes: remote-write 2.0 carries metadata only
 * when Prometheus keeps it in its WAL (`--enable-feature=metadata-wal-records`, docs/feature_flags.md).
 */
export function remoteWriteFlags(config: StackConfig): string[] {
  return config.prometheus.remoteWrite.some((entry) => entry.protocol === "2.0") ? ["--enable-feature=metadata-wal-records"] : [];
}

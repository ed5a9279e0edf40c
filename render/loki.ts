import type { StackConfig } from "../config/schema";
import { PORTS, type Topology } from "./topology/types";
import { yamlFile } from "./text";

/** The date the TSDB v13 schema starts; fixed, since changing it would orphan stored logs. */
export const LOKI_SCHEMA_FROM = "2024-01-01";
/** Period of the index tables; the compactor applies retention only with 24h tables. */
const INDEX_PERIOD = "24h";

/**
 * Loki 3.x as a single binary (every module in one process): filesystem storage, TSDB index
 * with schema v13, the ingester's write-ahead log on, and the compactor deleting logs older than
 * `loki.retention`. Ingestion limits come from config; Loki then refuses (and counts in
 * loki_discarded_samples_total, which LokiDiscardingLogs watches) what exceeds them.
 *
 * The ruler is off: every alert is a Prometheus rule. Loki starts its ruler in the single binary
 * only when a rule store is configured, and `common.storage.filesystem` would configure one
 * (`<path_prefix>/rules`) whose per-tenant folder never exists on a fresh volume, so
 * `/loki/api/v1/rules` would answer 400 and Grafana's alerting views show the error. The chunks
 * folder is therefore set in `storage_config` (the same path as before, so no data moves) and no
 * rule store is configured at all (Loki 3.2 pkg/loki/modules.go initRulerStorage).
 */
export function renderLokiConfig(config: StackConfig, topology: Topology): string {
  const data = topology.paths.lokiData;
  const l = config.loki;
  return yamlFile({
    target: "all",
    auth_enabled: false,
    server: { http_listen_port: PORTS.loki, grpc_listen_port: 9096, log_level: "info", log_format: "logfmt" },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: data,
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
    },
    storage_config: { filesystem: { directory: `${data}/chunks` } },
    schema_config: {
      configs: [{ from: LOKI_SCHEMA_FROM, store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: INDEX_PERIOD } }],
    },
    ingester: {
      // Replayed after a crash, so lines Loki acknowledged are not lost before their chunk is flushed.
      wal: { enabled: true, dir: `${data}/wal`, flush_on_shutdown: true },
    },
    limits_config: {
      retention_period: l.retention,
      max_query_lookback: l.retention,
      ingestion_rate_mb: l.ingestionRateMb,
      ingestion_burst_size_mb: l.ingestionBurstMb,
      max_label_names_per_series: 15,
      reject_old_samples: true,
      reject_old_samples_max_age: l.retention,
      allow_structured_metadata: true,
      volume_enabled: true,
    },
    compactor: {
      working_directory: `${data}/compactor`,
      compaction_interval: "10m",
      retention_enabled: true,
      retention_delete_delay: "2h",
      delete_request_store: "filesystem",
    },
    query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
    analytics: { reporting_enabled: false },
  });
}

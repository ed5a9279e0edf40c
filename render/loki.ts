import type { LokiStorage, StackConfig } from "../config/schema";
import { LOKI_S3_ENV } from "../config/secrets";
import { PORTS, type Topology } from "./topology/types";
import { yamlFile } from "./text";

/** The date the TSDB v13 schema starts; fixed, since changing it would orphan stored logs. */
const LOKI_SCHEMA_FROM = "2024-01-01";
/** Period of the index tables; the compactor applies retention only with 24h tables. */
const INDEX_PERIOD = "24h";

/**
 * Loki 3.x as a single binary (every module in one process): chunks and index on the filesystem
 * or in an S3 bucket (`loki.storage`), TSDB index with schema v13, the ingester's write-ahead log
 * on local disk, and the compactor deleting logs older than `loki.retention` from the same store.
 * Ingestion limits come from config; Loki then refuses (and counts in
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
      storage: commonStorage(l.storage),
    },
    schema_config: {
      configs: [{ from: LOKI_SCHEMA_FROM, store: "tsdb", object_store: objectStore(l.storage), schema: "v13", index: { prefix: "index_", period: INDEX_PERIOD } }],
    },
    storage_config: storageConfig(l.storage, data),
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
      // On local disk in either case: the marker files of chunks awaiting deletion must survive a restart.
      working_directory: `${data}/compactor`,
      compaction_interval: "10m",
      retention_enabled: true,
      retention_delete_delay: "2h",
      // Required with retention on: delete requests live in the same store as the chunks.
      delete_request_store: objectStore(l.storage),
    },
    query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
    analytics: { reporting_enabled: false },
  });
}

/** The `object_store` of the schema period and the compactor's `delete_request_store`. */
function objectStore(storage: LokiStorage): "filesystem" | "s3" {
  return storage.type;
}

/**
 * `common.storage`: nothing on the filesystem, or the bucket. S3 credentials are never written here:
 * they are `${VAR}` references Loki expands from its environment (`-config.expand-env`, see
 * lokiFlags). Kubernetes fills them from a Secret; Docker leaves them empty and gives Loki an AWS
 * shared credentials file instead, which the AWS default chain reads (as it reads IAM roles, IRSA and
 * AWS_* variables). Keys as in s3_storage_config of Loki's configuration reference
 * (docs/sources/shared/configuration.md). On the filesystem, `common.storage.filesystem` would also
 * configure the ruler's store (see renderLokiConfig), so the chunks folder is set in storage_config.
 */
function commonStorage(storage: LokiStorage): Record<string, unknown> | undefined {
  if (storage.type === "filesystem") return undefined;
  const endpoint = storage.endpoint === undefined ? undefined : new URL(storage.endpoint);
  return {
    s3: {
      bucketnames: storage.bucket,
      endpoint: endpoint?.host,
      region: storage.region,
      s3forcepathstyle: storage.pathStyle,
      insecure: endpoint?.protocol === "http:" ? true : undefined,
      access_key_id: storage.accessKeyId ? `\${${LOKI_S3_ENV.accessKeyId}}` : undefined,
      secret_access_key: storage.secretAccessKey ? `\${${LOKI_S3_ENV.secretAccessKey}}` : undefined,
    },
  };
}

/**
 * Filesystem: the chunks folder (the same path as before the ruler went off, so no data moves).
 * S3: the TSDB index is built and cached on local disk before it is shipped to the bucket.
 */
function storageConfig(storage: LokiStorage, data: string): Record<string, unknown> {
  if (storage.type === "filesystem") return { filesystem: { directory: `${data}/chunks` } };
  return { tsdb_shipper: { active_index_directory: `${data}/tsdb-index`, cache_location: `${data}/tsdb-cache` } };
}

/** Flags every target gives Loki: environment expansion when the config names the S3 credentials. */
export function lokiFlags(config: StackConfig): string[] {
  const storage = config.loki.storage;
  return storage.type === "s3" && storage.accessKeyId !== undefined ? ["-config.expand-env=true"] : [];
}

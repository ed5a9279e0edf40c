import type { StackConfig } from "../config/schema";
import { PORTS, type Topology } from "./topology/types";
import { yamlFile } from "./text";

/** Loki as a single binary: filesystem storage, WAL on, retention and ingestion limits from config. */
export function renderLokiConfig(config: StackConfig, topology: Topology): string {
  const data = topology.paths.lokiData;
  const l = config.loki;
  return yamlFile({
    auth_enabled: false,
    server: { http_listen_port: PORTS.loki, grpc_listen_port: 9096, log_level: "info" },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: data,
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
      storage: { filesystem: { chunks_directory: `${data}/chunks`, rules_directory: `${data}/rules` } },
    },
    schema_config: {
      configs: [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }],
    },
    ingester: { wal: { enabled: true, dir: `${data}/wal` } },
    limits_config: {
      retention_period: l.retention,
      ingestion_rate_mb: l.ingestionRateMb,
      ingestion_burst_size_mb: l.ingestionBurstMb,
      max_label_names_per_series: 15,
      reject_old_samples: true,
      reject_old_samples_max_age: l.retention,
      allow_structured_metadata: true,
    },
    compactor: {
      working_directory: `${data}/compactor`,
      compaction_interval: "10m",
      retention_enabled: true,
      retention_delete_delay: "2h",
      delete_request_store: "filesystem",
    },
    analytics: { reporting_enabled: false },
  });
}

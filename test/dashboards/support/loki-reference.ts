/**
 * What Loki 3.7.6 accepts in the parts of loki.yaml we render, for a static check: Loki is AGPL and
 * never built here, so its config is never loaded by the real binary in the tests.
 *
 * KEYS lists, per mapping we render (a dotted path; `[]` is an item of a list), every key Loki
 * knows at that level. Read from github.com/grafana/loki at tag v3.7.6,
 * docs/sources/shared/configuration.md (generated from the config structs), key names only.
 * REMOVED names settings Loki 3 dropped, from docs/sources/setup/upgrade/_index.md at the same tag,
 * so a config carried over from Loki 2 fails with the reason rather than as merely unknown.
 * When the pin moves, re-read both files at the new tag and update these lists.
 */
export const LOKI_REFERENCE = { release: "3.7.6", files: ["docs/sources/shared/configuration.md", "docs/sources/setup/upgrade/_index.md"] } as const;

export const KEYS: Record<string, readonly string[]> = {
  "": [
    "analytics", "auth_enabled", "ballast_bytes", "bloom_build", "bloom_gateway", "chunk_store_config",
    "common", "compactor", "compactor_grpc_client", "dataobj", "distributor", "frontend",
    "frontend_worker", "index_gateway", "ingest_limits", "ingest_limits_frontend",
    "ingest_limits_frontend_client", "ingester", "ingester_client", "kafka_config", "limits_config",
    "memberlist", "metrics_namespace", "operational_config", "pattern_ingester", "profiling",
    "querier", "query_engine", "query_range", "query_scheduler", "ruler", "ruler_storage",
    "runtime_config", "schema_config", "server", "shutdown_delay", "storage_config", "table_manager",
    "target", "tenant_limits_allow_publish", "tracing", "ui",
  ],
  "server": [
    "cluster_validation", "create_new_traces", "graceful_shutdown_timeout",
    "grpc_collect_max_streams_by_conn", "grpc_listen_address", "grpc_listen_conn_limit",
    "grpc_listen_network", "grpc_listen_port", "grpc_server_keepalive_time",
    "grpc_server_keepalive_timeout", "grpc_server_max_concurrent_streams",
    "grpc_server_max_connection_age", "grpc_server_max_connection_age_grace",
    "grpc_server_max_connection_idle", "grpc_server_max_recv_msg_size",
    "grpc_server_max_send_msg_size", "grpc_server_min_time_between_pings", "grpc_server_num_workers",
    "grpc_server_ping_without_stream_allowed", "grpc_server_recv_buffer_pools_enabled",
    "grpc_server_stats_tracking_enabled", "grpc_tls_config", "http_listen_address",
    "http_listen_conn_limit", "http_listen_network", "http_listen_port",
    "http_log_closed_connections_without_response_enabled", "http_path_prefix",
    "http_server_idle_timeout", "http_server_read_header_timeout", "http_server_read_timeout",
    "http_server_write_timeout", "http_tls_config", "log_format", "log_level",
    "log_request_at_info_level_enabled", "log_request_exclude_headers_list", "log_request_headers",
    "log_source_ips_enabled", "log_source_ips_full", "log_source_ips_header", "log_source_ips_regex",
    "proxy_protocol_enabled", "register_instrumentation",
    "report_grpc_codes_in_instrumentation_label_enabled", "tls_cipher_suites", "tls_min_version",
    "trace_request_exclude_headers_list", "trace_request_headers",
  ],
  "common": [
    "compactor_address", "compactor_grpc_address", "instance_addr", "instance_interface_names",
    "path_prefix", "persist_tokens", "replication_factor", "ring", "scratch_path", "storage",
  ],
  "common.ring": [
    "heartbeat_period", "heartbeat_timeout", "instance_addr", "instance_availability_zone",
    "instance_enable_ipv6", "instance_id", "instance_interface_names", "instance_port", "kvstore",
    "num_tokens", "replication_factor", "tokens_file_path", "zone_awareness_enabled",
  ],
  "common.ring.kvstore": [
    "consul", "etcd", "multi", "prefix", "store",
  ],
  "common.storage": [
    "alibabacloud", "azure", "bos", "congestion_control", "cos", "filesystem", "gcs", "hedging",
    "object_store", "s3", "swift",
  ],
  // s3_storage_config (loki.storage type s3)
  "common.storage.s3": [
    "access_key_id", "backoff_config", "bucketnames", "chunk_delimiter", "disable_dualstack", "endpoint",
    "http_config", "insecure", "region", "s3", "s3forcepathstyle", "secret_access_key", "session_token",
    "signature_version", "sse", "storage_class",
  ],
  "storage_config": [
    "alibabacloud", "aws", "azure", "bigtable", "bloom_shipper", "boltdb", "boltdb_shipper", "bos",
    "cassandra", "congestion_control", "cos", "disable_broad_index_queries", "filesystem", "gcs",
    "grpc_store", "hedging", "index_cache_validity", "index_queries_cache_config", "max_chunk_batch_size",
    "max_parallel_get_chunk", "named_stores", "object_prefix", "object_store", "swift", "tsdb_shipper",
    "use_thanos_objstore",
  ],
  "storage_config.tsdb_shipper": [
    "active_index_directory", "cache_location", "cache_ttl", "index_gateway_client", "ingesterdbretainperiod",
    "ingestername", "mode", "query_ready_num_days", "resync_interval",
  ],
  "common.storage.filesystem": [
    "chunks_directory", "rules_directory",
  ],
  // local_storage_config (storage_config.filesystem, where the filesystem store is set without the ruler's)
  "storage_config.filesystem": ["directory"],
  "schema_config": [
    "configs",
  ],
  "schema_config.configs[]": [
    "chunks", "from", "index", "object_store", "row_shards", "schema", "store",
  ],
  "schema_config.configs[].index": [
    "path_prefix", "period", "prefix", "tags",
  ],
  "ingester": [
    "autoforget_unhealthy", "chunk_block_size", "chunk_encoding", "chunk_idle_period",
    "chunk_retain_period", "chunk_target_size", "concurrent_flushes", "delegate_stream_limits_enabled",
    "flush_check_period", "flush_op_backoff", "flush_op_timeout", "index_shards", "kafka_ingestion",
    "lifecycler", "max_chunk_age", "max_dropped_streams", "max_returned_stream_errors",
    "owned_streams_check_interval", "query_store_max_look_back_period", "shutdown_marker_path",
    "sync_min_utilization", "sync_period", "wal",
  ],
  "ingester.wal": [
    "checkpoint_duration", "dir", "disk_full_threshold", "enabled", "flush_on_shutdown",
    "replay_memory_ceiling",
  ],
  "limits_config": [
    "allow_deletes", "allow_structured_metadata", "block_ingestion_policy_until",
    "block_ingestion_status_code", "block_ingestion_until", "blocked_queries", "bloom_block_encoding",
    "bloom_build_builder_response_timeout", "bloom_build_max_builders", "bloom_build_task_max_retries",
    "bloom_creation_enabled", "bloom_gateway_enable_filtering", "bloom_max_block_size",
    "bloom_max_bloom_size", "bloom_planning_strategy", "bloom_prefetch_blocks",
    "bloom_split_series_keyspace_by", "bloom_task_target_series_chunk_size", "cardinality_limit",
    "creation_grace_period", "debug_engine_streams", "debug_engine_tasks", "deletion_mode",
    "discover_generic_fields", "discover_log_levels", "discover_service_name",
    "enable_multi_variant_queries", "enforced_labels", "engine_results_cache_time_bucket_interval",
    "increment_duplicate_timestamp", "index_gateway_max_capacity", "index_gateway_shard_size",
    "ingestion_burst_size_mb", "ingestion_partitions_tenant_shard_size", "ingestion_rate_mb",
    "ingestion_rate_strategy", "log_level_fields", "log_level_from_json_max_depth",
    "max_cache_freshness_per_query", "max_chunks_per_query", "max_concurrent_tail_requests",
    "max_entries_limit_per_query", "max_global_streams_per_user", "max_label_name_length",
    "max_label_names_per_series", "max_label_value_length", "max_line_size", "max_line_size_truncate",
    "max_line_size_truncate_identifier", "max_metadata_cache_freshness", "max_querier_bytes_read",
    "max_queriers_per_tenant", "max_query_bytes_read", "max_query_capacity", "max_query_length",
    "max_query_lookback", "max_query_parallelism", "max_query_range", "max_query_series",
    "max_scan_task_parallelism", "max_stats_cache_freshness", "max_streams_matchers_per_query",
    "max_streams_per_user", "max_structured_metadata_entries_count", "max_structured_metadata_size",
    "metric_aggregation_enabled", "min_sharding_lookback", "minimum_labels_number", "otlp_config",
    "pattern_ingester_tokenizable_json_fields_append",
    "pattern_ingester_tokenizable_json_fields_default",
    "pattern_ingester_tokenizable_json_fields_delete", "pattern_persistence_enabled",
    "pattern_persistence_granularity", "pattern_rate_threshold", "per_stream_rate_limit",
    "per_stream_rate_limit_burst", "per_tenant_override_config", "per_tenant_override_period",
    "policy_enforced_labels", "policy_stream_mapping", "query_ready_index_num_days", "query_timeout",
    "recent_metadata_query_window", "reject_old_samples", "reject_old_samples_max_age",
    "required_labels", "retention_period", "retention_stream", "ruler_enable_wal_replay",
    "ruler_max_rule_groups_per_tenant", "ruler_max_rules_per_rule_group",
    "ruler_remote_evaluation_max_response_size", "ruler_remote_evaluation_timeout",
    "ruler_remote_write_config", "ruler_remote_write_disabled", "ruler_remote_write_headers",
    "ruler_remote_write_queue_batch_send_deadline", "ruler_remote_write_queue_capacity",
    "ruler_remote_write_queue_max_backoff", "ruler_remote_write_queue_max_samples_per_send",
    "ruler_remote_write_queue_max_shards", "ruler_remote_write_queue_min_backoff",
    "ruler_remote_write_queue_min_shards", "ruler_remote_write_queue_retry_on_ratelimit",
    "ruler_remote_write_relabel_configs", "ruler_remote_write_sigv4_config",
    "ruler_remote_write_timeout", "ruler_remote_write_url", "ruler_tenant_shard_size",
    "s3_sse_kms_encryption_context", "s3_sse_kms_key_id", "s3_sse_type", "shard_aggregations",
    "shard_streams", "simulated_push_latency", "split_ingester_queries_by_interval",
    "split_instant_metric_queries_by_interval", "split_metadata_queries_by_interval",
    "split_queries_by_interval", "split_recent_metadata_queries_by_interval",
    "tsdb_max_bytes_per_shard", "tsdb_max_query_parallelism", "tsdb_precompute_chunks",
    "tsdb_sharding_strategy", "unordered_writes", "use_owned_stream_count", "volume_enabled",
    "volume_max_series",
  ],
  "compactor": [
    "apply_retention_interval", "backup_delete_request_store_db_type", "compaction_interval",
    "compactor_ring", "delete_batch_size", "delete_max_interval", "delete_request_cancel_period",
    "delete_request_store", "delete_request_store_db_type", "delete_request_store_key_prefix",
    "deletion_marker_object_store_prefix", "horizontal_scaling_mode", "jobs_config",
    "max_compaction_parallelism", "retention_backoff_config", "retention_delete_delay",
    "retention_delete_worker_count", "retention_enabled", "retention_table_timeout",
    "skip_latest_n_tables", "tables_to_compact", "upload_parallelism", "worker_config",
    "working_directory",
  ],
  "query_range": [
    "align_queries_with_step", "cache_index_stats_results", "cache_instant_metric_results",
    "cache_label_results", "cache_results", "cache_series_results", "cache_volume_results",
    "index_stats_results_cache", "instant_metric_query_split_align", "instant_metric_results_cache",
    "label_results_cache", "max_retries", "parallelise_shardable_queries", "results_cache",
    "series_results_cache", "shard_aggregations", "volume_results_cache",
  ],
  "query_range.results_cache": [
    "cache", "compression",
  ],
  "query_range.results_cache.cache": [
    "background", "default_validity", "embedded_cache", "memcached", "memcached_client", "redis",
  ],
  "query_range.results_cache.cache.embedded_cache": [
    "enabled", "max_size_items", "max_size_mb", "ttl",
  ],
  "analytics": [
    "proxy_url", "reporting_enabled", "tls_config", "usage_stats_url",
  ],
};

/** Settings Loki 3.0 removed, with what replaces them (upgrade guide, "Loki 3.0.0"). */
export const REMOVED: Record<string, string> = {
  "storage_config.boltdb_shipper.shared_store": "removed in Loki 3.0: the shipper uses the object_store of the period config",
  "storage_config.tsdb_shipper.shared_store": "removed in Loki 3.0: the shipper uses the object_store of the period config",
  "storage_config.boltdb_shipper.shared_store_key_prefix": "removed in Loki 3.0: use path_prefix of the period config's index",
  "storage_config.tsdb_shipper.shared_store_key_prefix": "removed in Loki 3.0: use path_prefix of the period config's index",
  "compactor.shared_store": "removed in Loki 3.0: set compactor.delete_request_store instead",
  "compactor.shared_store_key_prefix": "removed in Loki 3.0",
  "compactor.deletion_mode": "removed in Loki 3.0: set limits_config.deletion_mode",
  "ingester.max_transfer_retries": "removed in Loki 3.0: enable ingester.wal instead",
  "storage_config.tsdb_shipper.use_boltdb_shipper_as_backup": "removed in Loki 3.0",
  "chunk_store_config.max_look_back_period": "removed in Loki 3.0: use limits_config.max_query_lookback",
  "querier.engine.timeout": "removed in Loki 3.0: use limits_config.query_timeout",
  "querier.query_timeout": "removed in Loki 3.0: use limits_config.query_timeout",
  "query_range.split_queries_by_interval": "removed in Loki 3.0: use limits_config.split_queries_by_interval",
  "limits_config.enforce_metric_name": "removed in Loki 3.0",
  "querier.worker_parallelism": "removed in Loki 3.0: use querier.max_concurrent",
  "ruler.evaluation_delay_duration": "removed in Loki 3.0",
};

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Problems Loki 3.7.6 would report (or silently misread) in a parsed loki.yaml. */
export function lokiConfigProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const walk = (node: Record<string, unknown>, path: string) => {
    const known = KEYS[path];
    if (known === undefined) {
      problems.push(`${path}: no key list for this block; add it from ${LOKI_REFERENCE.files[0]} at v${LOKI_REFERENCE.release}`);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const at = path === "" ? key : `${path}.${key}`;
      const dotted = at.replace(/\[\]/g, "");
      if (REMOVED[dotted]) problems.push(`${at}: ${REMOVED[dotted]}`);
      else if (!known.includes(key)) problems.push(`${at}: unknown to Loki ${LOKI_REFERENCE.release}`);
      else if (isMapping(value)) walk(value, at);
      else if (Array.isArray(value)) for (const item of value) if (isMapping(item)) walk(item, `${at}[]`);
    }
  };
  walk(config, "");

  // Loki 3 stores structured metadata, which Alloy sends, only with the tsdb index and schema v13.
  const periods = ((config.schema_config as { configs?: Array<Record<string, unknown>> } | undefined)?.configs ?? []).slice();
  periods.sort((a, b) => String(a.from).localeCompare(String(b.from)));
  const active = periods[periods.length - 1];
  if (active === undefined) problems.push("schema_config.configs: no period config");
  else {
    if (active.store !== "tsdb") problems.push(`schema_config: the active period uses store ${String(active.store)}; Loki 3 needs tsdb (boltdb-shipper is deprecated and has no structured metadata)`);
    if (active.schema !== "v13") problems.push(`schema_config: the active period uses schema ${String(active.schema)}; structured metadata needs v13`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(active.from))) problems.push(`schema_config: from ${String(active.from)} is not a YYYY-MM-DD date`);
    const index = active.index as { period?: string } | undefined;
    if (active.store === "tsdb" && index?.period !== "24h") problems.push(`schema_config: the tsdb index period must be 24h, not ${index?.period}`);
  }
  const compactor = config.compactor as Record<string, unknown> | undefined;
  if (compactor?.retention_enabled === true && !compactor.delete_request_store) problems.push("compactor: retention_enabled needs delete_request_store (Loki 3 refuses to start without it)");
  if (active !== undefined && compactor?.delete_request_store && compactor.delete_request_store !== active.object_store) {
    problems.push(`compactor: delete_request_store ${String(compactor.delete_request_store)} is not the active period's object_store ${String(active.object_store)}; delete requests belong with the chunks they delete`);
  }
  return problems;
}

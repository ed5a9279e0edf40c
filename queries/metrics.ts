/**
 * The metric contract: every metric a query uses, and which component exports it. The
 * services under services/ implement the first block; the rest come from the exporters and
 * the monitoring components themselves. Tests check that every query only names metrics listed
 * here, and that the services really expose theirs.
 */

export const HTTP_REQUESTS = "http_requests_total";
const HTTP_DURATION = "http_request_duration_seconds";
export const HTTP_DURATION_BUCKET = `${HTTP_DURATION}_bucket`;

/** Values of the `status` label of the HTTP metrics: the class, as the seed writes it. */
export const STATUS_5XX = "5xx";

export const METRIC_SOURCES = {
  /** Our three services (services/shared) */
  app: [
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_sum",
    "http_request_duration_seconds_count",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "nodejs_eventloop_lag_p99_seconds",
    "nodejs_heap_size_used_bytes",
    "dependency_up",
    "log_shipping_dropped_total",
    "voteobs_build_info",
  ],
  vote: ["votes_enqueued_total", "vote_fault_injection_ratio", "fault_injected_total"],
  worker: [
    "votes_processed_total",
    "vote_queue_depth",
    "vote_queue_oldest_age_seconds",
    "vote_batch_duration_seconds_bucket",
    "vote_batch_duration_seconds_sum",
    "vote_batch_duration_seconds_count",
    "vote_batch_size_bucket",
    "vote_batch_size_sum",
    "vote_batch_size_count",
  ],
  result: ["result_votes", "result_sse_clients"],
  "redis-exporter": [
    "redis_up",
    "redis_key_size",
    "redis_connected_clients",
    "redis_memory_used_bytes",
    "redis_memory_max_bytes",
    "redis_commands_processed_total",
    "redis_start_time_seconds",
  ],
  "postgres-exporter": ["pg_up", "pg_stat_database_numbackends", "pg_stat_database_xact_commit", "pg_stat_database_xact_rollback", "pg_postmaster_start_time_seconds", "pg_settings_max_connections", "pg_database_size_bytes"],
  "node-exporter": ["node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_load1", "node_filesystem_avail_bytes", "node_filesystem_size_bytes"],
  cadvisor: ["container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_start_time_seconds", "container_spec_memory_limit_bytes", "container_last_seen"],
  prometheus: [
    "up",
    "ALERTS",
    "scrape_samples_scraped",
    "prometheus_config_last_reload_successful",
    "prometheus_rule_evaluation_failures_total",
    "prometheus_rule_group_iterations_missed_total",
    "prometheus_notifications_errors_total",
    "prometheus_notifications_sent_total",
    "prometheus_notifications_dropped_total",
    "prometheus_notifications_alertmanagers_discovered",
    "prometheus_target_scrapes_exceeded_sample_limit_total",
    "prometheus_tsdb_head_series",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
  ],
  alertmanager: ["alertmanager_config_last_reload_successful", "alertmanager_notifications_failed_total", "alertmanager_notifications_total", "alertmanager_alerts", "process_start_time_seconds"],
  loki: ["loki_distributor_lines_received_total", "loki_discarded_samples_total", "loki_ingester_memory_streams"],
} as const satisfies Record<string, readonly string[]>;

export type MetricSource = keyof typeof METRIC_SOURCES;

/** Every metric name a query may use, besides the series our recording rules write (alert-rules/: limits and SLO records). */
export const KNOWN_METRICS: ReadonlySet<string> = new Set(Object.values(METRIC_SOURCES).flat());

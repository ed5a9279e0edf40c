import { sumRate } from "./promql";

/** Redis and Postgres as their exporters see them. */

export function redisConnectedClients(): string {
  return "max(redis_connected_clients)";
}

export function redisMemoryUsedBytes(): string {
  return "max(redis_memory_used_bytes)";
}

/** Redis maxmemory; 0 means no limit (Redis then grows until the container limit). */
export function redisMemoryMaxBytes(): string {
  return "max(redis_memory_max_bytes)";
}

export function redisCommandsRate(window: string): string {
  return sumRate("redis_commands_processed_total", {}, window);
}

/** Open connections (backends) over all databases. */
export function postgresConnections(): string {
  return "sum(pg_stat_database_numbackends)";
}

export function postgresMaxConnections(): string {
  return "max(pg_settings_max_connections)";
}

export function postgresCommitRate(window: string): string {
  return sumRate("pg_stat_database_xact_commit", {}, window);
}

export function postgresRollbackRate(window: string): string {
  return sumRate("pg_stat_database_xact_rollback", {}, window);
}

export function postgresDatabaseBytes(): string {
  return "sum by (datname) (pg_database_size_bytes)";
}

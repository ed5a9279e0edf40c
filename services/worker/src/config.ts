import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { CommonConfig, PostgresConfig, readCommonConfig, readPostgresConfig, readRedisConfig, RedisConfig } from "../../shared/src/common-config";
import { ConfigError, Env, readInteger, readOptionalString } from "../../shared/src/env";

export interface WorkerConfig extends CommonConfig {
  redis: RedisConfig;
  postgres: PostgresConfig;
  /** Unique per process: two workers sharing an id would acknowledge each other's batches. */
  workerId: string;
  batchSize: number;
  idleBlockMs: number;
  heartbeatTtlMs: number;
  recoveryIntervalMs: number;
}

// The batch is pushed to the processing list with one Lua unpack(), whose stack holds about 8000 values.
const MAX_BATCH_SIZE = 5_000;

export function loadWorkerConfig(env: Env): WorkerConfig {
  const workerId = readOptionalString(env, "WORKER_ID") ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(workerId)) {
    throw new ConfigError(`invalid WORKER_ID=${JSON.stringify(workerId)}: expected 1 to 128 letters, digits or . _ : -`);
  }
  const heartbeatTtlMs = readInteger(env, "WORKER_HEARTBEAT_TTL_MS", 10_000, 300, 600_000);
  const idleBlockMs = readInteger(env, "WORKER_IDLE_BLOCK_MS", 1_000, 10, 30_000);
  // The heartbeat is refreshed right before each blocking move; it must outlive the wait, or another
  // worker could recover this worker's list while the move can still put a vote into it.
  if (heartbeatTtlMs <= idleBlockMs) {
    throw new ConfigError(
      `invalid WORKER_HEARTBEAT_TTL_MS=${heartbeatTtlMs} with WORKER_IDLE_BLOCK_MS=${idleBlockMs}: ` +
        "expected WORKER_HEARTBEAT_TTL_MS to be greater than WORKER_IDLE_BLOCK_MS (the heartbeat must outlive a blocking wait)",
    );
  }
  return {
    ...readCommonConfig(env, 8082),
    redis: readRedisConfig(env),
    postgres: readPostgresConfig(env),
    workerId,
    batchSize: readInteger(env, "WORKER_BATCH_SIZE", 100, 1, MAX_BATCH_SIZE),
    idleBlockMs,
    heartbeatTtlMs,
    recoveryIntervalMs: readInteger(env, "WORKER_RECOVERY_INTERVAL_MS", Math.max(1_000, Math.floor(heartbeatTtlMs / 2)), 100, 600_000),
  };
}

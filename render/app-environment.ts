import { APP_SERVICES, type AppService } from "../config/components";
import type { StackConfig } from "../config/schema";
import type { AppAddresses } from "./topology/types";

/** The environment of one app service: variable → value. */
export type AppEnvironment = Record<string, string>;

/**
 * The environment of vote, worker and result on a target: the one mapping from the typed config and
 * the target's addresses to what services/*\/src/config.ts read. Docker, Kubernetes and the local
 * target all place exactly this; secrets appear only as file paths. There is no LOKI_URL: Alloy ships
 * the containers' output to Loki, and the local target writes it to files, so each line is shipped once.
 */
export function appEnvironment(config: StackConfig, addresses: AppAddresses): Record<AppService, AppEnvironment> {
  const app = config.app;
  const redis = { REDIS_URL: `redis://${addresses.redis.host}:${addresses.redis.port}`, REDIS_PASSWORD_FILE: addresses.secretFiles.redisPassword };
  const postgres = {
    PGHOST: addresses.postgres.host,
    PGPORT: String(addresses.postgres.port),
    PGUSER: "postgres",
    PGDATABASE: addresses.postgres.database,
    POSTGRES_PASSWORD_FILE: addresses.secretFiles.postgresPassword,
  };
  const options = { OPTION_A: app.options.a, OPTION_B: app.options.b };
  const own: Record<AppService, AppEnvironment> = {
    vote: { ...redis, ...options, FAULT_INJECTION: app.faultInjection.enabled ? "enabled" : "disabled", FAULT_ERROR_RATIO: String(app.faultInjection.errorRatio) },
    worker: { ...redis, ...postgres, WORKER_BATCH_SIZE: String(app.workerBatchSize) },
    result: { ...postgres, ...options },
  };
  return Object.fromEntries(
    APP_SERVICES.map((service) => [service, sorted({ HOST: addresses.listen.host, PORT: String(addresses.listen.ports[service]), LOG_LEVEL: app.logLevel, ...own[service] })]),
  ) as Record<AppService, AppEnvironment>;
}

/** Keys in order, so every target lists the variables alike and diffs stay small. */
function sorted(env: AppEnvironment): AppEnvironment {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)));
}

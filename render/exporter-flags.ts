import { DEAD_LETTER_KEY, QUEUE_KEY } from "../queries/queue";

/**
 * The command-line flags of each exporter, the same on every target (Docker, Kubernetes and the
 * local processes): only the listen address and the host paths differ. A flag a query depends on
 * (the queue keys, the postmaster collector) is therefore tested wherever it ships.
 */

/** Redis keys whose length redis_exporter exports as `redis_key_size{key=...}`: the queue alerts read them. */
export const REDIS_CHECKED_KEYS: readonly string[] = [QUEUE_KEY, DEAD_LETTER_KEY];

/**
 * `passwordFile`: redis_exporter's JSON password file (render/redis.ts redisExporterPasswordFile),
 * for a Redis that requires a password. Defaults to none.
 */
export function redisExporterFlags(listenAddress: string, keys: readonly string[] = REDIS_CHECKED_KEYS, passwordFile?: string): string[] {
  return [`--check-single-keys=${keys.map((key) => `db0=${key}`).join(",")}`, `--web.listen-address=${listenAddress}`, ...(passwordFile ? [`--redis.password-file=${passwordFile}`] : [])];
}

/**
 * `--collector.postmaster`: postgres_exporter 0.13+ exports `pg_postmaster_start_time_seconds`, which
 * the restart and crash-loop queries read, only with it (the collector is off by default).
 */
export function postgresExporterFlags(listenAddress: string): string[] {
  return [`--web.listen-address=${listenAddress}`, "--collector.postmaster", "--log.level=warn"];
}

/** node_exporter reading the host through `rootfs` (Docker, Kubernetes) or this machine directly (local). */
export function nodeExporterFlags(listenAddress: string, host?: { procfs?: string; sysfs?: string; rootfs: string }): string[] {
  const paths = host === undefined ? [] : [...(host.procfs ? [`--path.procfs=${host.procfs}`] : []), ...(host.sysfs ? [`--path.sysfs=${host.sysfs}`] : []), `--path.rootfs=${host.rootfs}`];
  return [...paths, `--web.listen-address=${listenAddress}`, "--log.level=warn"];
}

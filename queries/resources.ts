import { OUR_CONTAINERS, SELF_INSTRUMENTED_JOBS } from "./labels";
import { firstOf, selector } from "./promql";

/**
 * Resource queries per service. Each prefers cAdvisor (per container, every target with
 * containers) and falls back to the process metrics of self-instrumented jobs, so the same
 * rule works on Docker, Kubernetes and the local target.
 */

/** CPU cores used by each service (all its instances together). */
export function cpuUsageCores(window: string): string {
  return firstOf(
    `sum by (service) (rate(${selector("container_cpu_usage_seconds_total", OUR_CONTAINERS)}[${window}]))`,
    `sum by (service) (rate(${selector("process_cpu_seconds_total", { job: SELF_INSTRUMENTED_JOBS })}[${window}]))`,
  );
}

/** CPU cores used by the busiest instance of each service (compared with the per-instance limit). */
function cpuUsageCoresMaxInstance(window: string): string {
  return firstOf(
    `max by (service) (rate(${selector("container_cpu_usage_seconds_total", OUR_CONTAINERS)}[${window}]))`,
    `max by (service) (rate(${selector("process_cpu_seconds_total", { job: SELF_INSTRUMENTED_JOBS })}[${window}]))`,
  );
}

/** Memory in use by the largest instance of each service, in bytes. */
function memoryBytesMaxInstance(): string {
  return firstOf(
    `max by (service) (${selector("container_memory_working_set_bytes", OUR_CONTAINERS)})`,
    `max by (service) (${selector("process_resident_memory_bytes", { job: SELF_INSTRUMENTED_JOBS })})`,
  );
}

/** Memory in use by each service (all instances), in bytes. */
export function memoryBytes(): string {
  return firstOf(
    `sum by (service) (${selector("container_memory_working_set_bytes", OUR_CONTAINERS)})`,
    `sum by (service) (${selector("process_resident_memory_bytes", { job: SELF_INSTRUMENTED_JOBS })})`,
  );
}

/**
 * Restarts of each service within `window`: a new container start time, a new process start
 * time, or a Redis/Postgres server that came back with a new start time.
 */
export function restarts(window: string): string {
  return firstOf(
    `max by (service) (changes(${selector("container_start_time_seconds", OUR_CONTAINERS)}[${window}]))`,
    `max by (service) (changes(${selector("process_start_time_seconds", { job: SELF_INSTRUMENTED_JOBS })}[${window}]))`,
    `max by (service) (changes(redis_start_time_seconds[${window}]))`,
    `max by (service) (changes(pg_postmaster_start_time_seconds[${window}]))`,
  );
}

export const CPU_LIMIT_RECORD = "voteobs:service_cpu_limit:cores";
export const MEMORY_LIMIT_RECORD = "voteobs:service_memory_limit:bytes";

/** Busiest instance's CPU as a share of the configured per-instance limit. */
export function cpuSaturation(window: string): string {
  return `${cpuUsageCoresMaxInstance(window)}\n/ on (service)\n${CPU_LIMIT_RECORD}`;
}

/** Largest instance's memory as a share of the configured per-instance limit. */
export function memorySaturation(): string {
  return `${memoryBytesMaxInstance()}\n/ on (service)\n${MEMORY_LIMIT_RECORD}`;
}

/** Host CPU busy share (node-exporter). */
export function hostCpuBusy(window: string): string {
  return `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${window}]))`;
}

/** Host memory in use share (node-exporter). */
export function hostMemoryUsed(): string {
  return "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes";
}

import { CPU_LIMIT_RECORD, MEMORY_LIMIT_RECORD } from "./resources";
import { selector } from "./promql";

/**
 * The configured per-instance limits as series (recorded by alert-rules/infrastructure.ts), and
 * a filter by service built on them: every component has a limit series, so they double as the
 * list of services a dashboard variable can pick from.
 */

/** CPU limit in cores of the services matched by `service` (a value, or "~regex"). */
export function cpuLimitCores(service: string): string {
  return selector(CPU_LIMIT_RECORD, { service });
}

/** Memory limit in bytes of the services matched by `service` (a value, or "~regex"). */
export function memoryLimitBytes(service: string): string {
  return selector(MEMORY_LIMIT_RECORD, { service });
}

/** Only the series of `expr` whose `service` matches the regex `services` (e.g. a Grafana variable). */
export function onlyServices(expr: string, services: string): string {
  return `(\n${expr}\n)\nand on (service)\n${cpuLimitCores(`~${services}`)}`;
}

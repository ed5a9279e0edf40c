import { selector } from "./promql";

/** 1 when Prometheus scraped the target, 0 when it could not; `service`, `job` and `instance` labels. */
export function targetUp(service?: string): string {
  return service === undefined ? "up" : selector("up", { service });
}

/** Share of each job's scrape targets that do not answer (kube-prometheus' TargetDown operand). */
export function targetsDownShare(): string {
  return "count by (job, service) (up == 0)\n/\ncount by (job, service) (up)";
}

/**
 * 1 while at least one scrape target of the service answers, 0 when none does: ServiceDown's
 * operand. For one service (a dashboard light), or per service.
 */
export function serviceTargetsUp(service?: string): string {
  return service === undefined ? "max by (service) (up)" : `max(${targetUp(service)})`;
}

/** Scrape targets of each service that answer, and all of them: "1/2 up" in `npm run status`. */
export function targetsUpCount(): string {
  return "sum by (service) (up)";
}

export function targetsCount(): string {
  return "count by (service) (up)";
}

/** Redis as its exporter sees it (1 up, 0 down). */
export const redisUp = () => "redis_up";
/** Postgres as its exporter sees it. */
export const postgresUp = () => "pg_up";

/** The value a traffic light takes while its service is down (dashboards/traffic-lights.ts). */
export const DOWN_VALUE = -1;

/** Redis or Postgres as its exporter sees it, per service: the operand of RedisDown and PostgresDown. */
export function datastoreUp(service: "redis" | "postgres"): string {
  return `max by (service) (${service === "redis" ? redisUp() : postgresUp()})`;
}

/** Whether each service reaches each dependency (1) or not (0): the operand of DependencyUnreachable. */
export function dependencyReachable(service?: string): string {
  return `max by (service, dependency) (${selector("dependency_up", service === undefined ? {} : { service })})`;
}

/** Every alert Prometheus holds pending or firing, with its state (`alertstate`), except the always-on plumbing: what `npm run status` colours by. */
export function activeAlerts(): string {
  return selector("ALERTS", { severity: "!none" });
}

/** The alerts Prometheus fires right now, except the severity "none" plumbing (Watchdog, the inhibitors). */
export function firingAlerts(): string {
  return selector("ALERTS", { alertstate: "firing", severity: "!none" });
}

import { selector } from "./promql";

/** 1 when Prometheus scraped the target, 0 when it could not; `service`, `job` and `instance` labels. */
export function targetUp(service?: string): string {
  return service === undefined ? "up" : selector("up", { service });
}

export const targetDown = () => "up == 0";

/** Redis as its exporter sees it (1 up, 0 down). */
export const redisUp = () => "redis_up";
/** Postgres as its exporter sees it. */
export const postgresUp = () => "pg_up";

/**
 * One 0/1 value per service: the scrape target is up and, for Redis and Postgres, the server
 * behind the exporter answers. The traffic lights of the Overview and `npm run status` use it.
 */
export function serviceUp(): string {
  return 'min by (service) ({__name__=~"up|redis_up|pg_up"})';
}

/** Series whose 0 means "down": the scrape target itself, or Redis/Postgres behind its exporter. */
const UP_METRICS = "~up|redis_up|pg_up";

/**
 * What a traffic light shows: -1 ({@link DOWN_VALUE}) while any target of the service (or the
 * data store behind its exporter) is down, else `signal`, else 0 when `zeroWhenAbsent` (nothing
 * measured means nothing wrong, as for the alert that would not fire either).
 */
export function lightSignal(service: string, signal: string, zeroWhenAbsent: boolean): string {
  const down = `(min(${selector("", { __name__: UP_METRICS, service })}) == 0) - 1`;
  return [down, `(${signal})`, ...(zeroWhenAbsent ? ["vector(0)"] : [])].join("\nor on ()\n");
}

/** The value {@link lightSignal} takes while the service is down. */
export const DOWN_VALUE = -1;

/** Redis or Postgres as its exporter sees it, per service: the operand of RedisDown and PostgresDown. */
export function datastoreUp(service: "redis" | "postgres"): string {
  return `max by (service) (${service === "redis" ? redisUp() : postgresUp()})`;
}

/** Whether each service reaches each dependency (1) or not (0): the operand of DependencyUnreachable. */
export function dependencyReachable(service?: string): string {
  return `max by (service, dependency) (${selector("dependency_up", service === undefined ? {} : { service })})`;
}

/** The alerts Prometheus fires right now, except the always-on plumbing (Watchdog, InfoInhibitor). */
export function firingAlerts(): string {
  return selector("ALERTS", { alertstate: "firing", severity: "!none" });
}

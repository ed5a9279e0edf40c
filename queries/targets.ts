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

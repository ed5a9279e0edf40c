/**
 * LogQL for the logs Alloy ships to Loki. Streams carry `service`, `container` and a
 * normalised `level` (debug, info, warn, error, fatal); our services' JSON lines also carry
 * `route`, `status` and `err`, extracted at query time with `| json`.
 */

const ERROR_LEVELS = "error|fatal";

export function serviceLogs(service: string): string {
  return `{service="${service}"}`;
}

/** Error lines of one service: the query behind every alert's logs link. */
export function serviceErrorLogs(service: string): string {
  return `{service="${service}", level=~"${ERROR_LEVELS}"}`;
}

/** Error lines of the services chosen by a Grafana variable (regex). */
export function errorLogsForVariable(variable: string): string {
  return `{service=~"${variable}", level=~"${ERROR_LEVELS}"}`;
}

/** Error lines per second per service, for log-volume panels. */
export function errorLogRate(window: string): string {
  return `sum by (service) (count_over_time({level=~"${ERROR_LEVELS}"}[${window}]))`;
}

/** Failed HTTP requests of our services, parsed from their JSON lines. */
export function failedRequestLogs(service: string): string {
  return `{service="${service}"} | json | status=~"5.."`;
}

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

/** Every line of the services chosen by a Grafana variable (regex). */
export function logsForVariable(variable: string): string {
  return `{service=~"${variable}"}`;
}

/** Lines of `selection` that contain `text` (a Grafana text box variable; empty keeps every line). */
export function containing(selection: string, text: string): string {
  return `${selection} |= "${text}"`;
}

/**
 * Failed HTTP requests of the services chosen by a Grafana variable, parsed from their JSON lines;
 * only lines containing `text` when given (filtered before parsing, which is cheaper).
 */
export function failedRequestLogsForVariable(variable: string, text?: string): string {
  const filtered = text === undefined ? logsForVariable(variable) : containing(logsForVariable(variable), text);
  return `${filtered} | json | status=~"5.."`;
}

/** Log lines per level of the services chosen by a Grafana variable (lines without a level count as ""). */
export function logVolumeByLevel(variable: string, window: string): string {
  return `sum by (level) (count_over_time({service=~"${variable}"}[${window}]))`;
}

/** Error lines per service of the services chosen by a variable (regex) or named exactly. */
export function errorLogRateOf(services: string, window: string): string {
  return `sum by (service) (count_over_time({service=~"${services}", level=~"${ERROR_LEVELS}"}[${window}]))`;
}

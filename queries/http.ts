import { HTTP_DURATION_BUCKET, HTTP_REQUESTS, STATUS_5XX } from "./metrics";
import { num, sumRate, type Matchers } from "./promql";

/** Requests per second served by `service`, optionally split by labels (route, status...). */
export function requestRate(service: string, window: string, splitBy: readonly string[] = ["service"], extra: Matchers = {}): string {
  return sumRate(HTTP_REQUESTS, { service, ...extra }, window, splitBy);
}

/** Requests per second answered 5xx. */
function errorRate(service: string, window: string, splitBy: readonly string[] = ["service"]): string {
  return sumRate(HTTP_REQUESTS, { service, status: STATUS_5XX }, window, splitBy);
}

/**
 * Share of requests answered 5xx: the seed's `http_requests_total{status="5xx"}` over all
 * requests of the service, keeping the `service` label.
 */
export function errorRatio(service: string, window: string): string {
  return `${errorRate(service, window)}\n/\n${requestRate(service, window)}`;
}

/** Same ratio without NaN when there is no traffic at all (the series is absent instead). */
export function errorRatioOrAbsent(service: string, window: string): string {
  return `${errorRate(service, window)}\n/\n(${requestRate(service, window)} > 0)`;
}

/** A latency quantile (0.95, 0.99) in seconds, from the request duration histogram. */
export function latencyQuantile(service: string, quantile: number, window: string, splitBy: readonly string[] = ["service"]): string {
  return `histogram_quantile(${num(quantile)}, ${sumRate(HTTP_DURATION_BUCKET, { service }, window, [...splitBy, "le"])})`;
}

/** Request rate per route and status class, for RED panels. */
export function requestRateByRouteAndStatus(service: string, window: string): string {
  return requestRate(service, window, ["route", "status"]);
}

/** Share of requests answered 5xx per route (absent for a route without traffic, never NaN). */
export function errorRatioByRoute(service: string, window: string): string {
  return `${errorRate(service, window, ["route"])}\n/\n(${requestRate(service, window, ["route"])} > 0)`;
}

/** Requests per second in each latency bucket (`le`), for a heatmap of the request duration. */
export function latencyBuckets(service: string, window: string): string {
  return sumRate(HTTP_DURATION_BUCKET, { service }, window, ["le"]);
}

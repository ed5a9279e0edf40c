import { Counter, Histogram, Registry } from "prom-client";

export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Every path that matches no route is counted under this one value, so paths cannot grow the series. */
export const UNMATCHED_ROUTE = "other";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

export function methodLabel(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : "OTHER";
}

export function statusClass(statusCode: number): "2xx" | "3xx" | "4xx" | "5xx" {
  if (statusCode >= 500) return "5xx";
  if (statusCode >= 400) return "4xx";
  if (statusCode >= 300) return "3xx";
  return "2xx";
}

/** Records one answered request; `route` must be a route template or UNMATCHED_ROUTE. */
export interface HttpRecorder {
  record(route: string, method: string, statusCode: number, seconds: number): void;
}

export const NO_HTTP_METRICS: HttpRecorder = { record: () => undefined };

type HttpLabels = { route: string; method: string; status: string };

export function createHttpMetrics(registry: Registry, routes: Readonly<Record<string, readonly string[]>>): HttpRecorder {
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by route template, method and status class (not /metrics, /healthz, /readyz).",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from request to response, by route template, method and status class.",
    labelNames: ["route", "method", "status"],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });

  // One frozen label object per combination seen: no allocation per request, and the set stays small.
  const labelCache = new Map<string, HttpLabels>();
  const labelsFor = (route: string, method: string, status: string): HttpLabels => {
    const key = `${route} ${method} ${status}`;
    let labels = labelCache.get(key);
    if (labels === undefined) {
      labels = Object.freeze({ route, method, status });
      labelCache.set(key, labels);
    }
    return labels;
  };

  // Series for the expected answers exist from the start, so ratios and rates never read an absent series.
  for (const [route, methods] of Object.entries(routes)) {
    for (const method of methods) {
      for (const status of ["2xx", "4xx", "5xx"]) requests.inc(labelsFor(route, method, status), 0);
    }
  }

  return {
    record(route, method, statusCode, seconds) {
      const labels = labelsFor(route, method, statusClass(statusCode));
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

import { Counter, Metric, Registry } from "prom-client";

export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Every path that matches no route is counted under this one value, so paths cannot grow the series. */
export const UNMATCHED_ROUTE = "other";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

export function methodLabel(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : "OTHER";
}

function statusClass(statusCode: number): "2xx" | "3xx" | "4xx" | "5xx" {
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

/** One label set's requests: plain numbers, so recording a request costs a map lookup and a few additions. */
interface Series {
  labels: HttpLabels;
  count: number;
  /** Part of `count` already handed to the prom-client counter. */
  counted: number;
  sum: number;
  /** Requests per bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
}

const DURATION_NAME = "http_request_duration_seconds";

/**
 * http_requests_total and http_request_duration_seconds.
 *
 * prom-client's own observe() hashes the labels and allocates on every call (about 1.5 µs, several
 * percent of a vote request); here a request only updates numbers in a Map, and the values reach
 * the registry when Prometheus scrapes: the counter through its collect(), the histogram as a
 * metric object in the shape prom-client's registry formats (name, help, type, values).
 */
export function createHttpMetrics(registry: Registry, routes: Readonly<Record<string, readonly string[]>>): HttpRecorder {
  const series = new Map<string, Series>();
  const seriesFor = (route: string, method: string, status: string): Series => {
    const key = `${route} ${method} ${status}`;
    let found = series.get(key);
    if (found === undefined) {
      found = { labels: { route, method, status }, count: 0, counted: 0, sum: 0, buckets: new Float64Array(HTTP_DURATION_BUCKETS.length + 1) };
      series.set(key, found);
    }
    return found;
  };

  new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by route template, method and status class (not /metrics, /healthz, /readyz).",
    labelNames: ["route", "method", "status"],
    registers: [registry],
    collect() {
      for (const s of series.values()) {
        this.inc(s.labels, s.count - s.counted);
        s.counted = s.count;
      }
    },
  });

  const duration = {
    name: DURATION_NAME,
    help: "Time from request to response, by route template, method and status class.",
    type: "histogram",
    aggregator: "sum",
    get: async () => ({ name: DURATION_NAME, help: duration.help, type: "histogram", aggregator: "sum", values: histogramValues(series.values()) }),
    reset: () => {
      for (const s of series.values()) {
        s.sum = 0;
        s.buckets.fill(0);
      }
    },
  };
  registry.registerMetric(duration as unknown as Metric);

  // Series for the expected answers exist from the start, so ratios and rates never read an absent series.
  for (const [route, methods] of Object.entries(routes)) {
    for (const method of methods) for (const status of ["2xx", "4xx", "5xx"]) seriesFor(route, method, status);
  }

  return {
    record(route, method, statusCode, seconds) {
      const s = seriesFor(route, method, statusClass(statusCode));
      s.count++;
      s.sum += seconds;
      let bucket = 0;
      while (bucket < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[bucket]) bucket++;
      s.buckets[bucket]++;
    },
  };
}

interface HistogramValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Cumulative buckets, sum and count per label set, for the label sets that saw a request. */
function histogramValues(all: Iterable<Series>): HistogramValue[] {
  const values: HistogramValue[] = [];
  for (const s of all) {
    let cumulative = 0;
    for (const count of s.buckets) cumulative += count;
    if (cumulative === 0) continue;
    cumulative = 0;
    HTTP_DURATION_BUCKETS.forEach((bound, i) => {
      cumulative += s.buckets[i];
      values.push({ metricName: `${DURATION_NAME}_bucket`, labels: { ...s.labels, le: bound }, value: cumulative });
    });
    cumulative += s.buckets[HTTP_DURATION_BUCKETS.length];
    values.push({ metricName: `${DURATION_NAME}_bucket`, labels: { ...s.labels, le: "+Inf" }, value: cumulative });
    values.push({ metricName: `${DURATION_NAME}_sum`, labels: s.labels, value: s.sum });
    values.push({ metricName: `${DURATION_NAME}_count`, labels: s.labels, value: cumulative });
  }
  return values;
}

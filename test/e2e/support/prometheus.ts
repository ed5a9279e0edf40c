import { instantQuery, type Sample } from "../../../status/prometheus-api";

export type { Sample };

/** The alert as Prometheus' /api/v1/alerts shows it. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

/** The alert as Alertmanager's /api/v2/alerts shows it. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  receivers: Array<{ name: string }>;
  status: { state: "active" | "suppressed" | "unprocessed"; inhibitedBy: string[]; silencedBy: string[] };
}

export interface RangeSeries {
  labels: Record<string, string>;
  values: Array<[number, number]>;
}

interface ApiResponse<T> {
  status: "success" | "error";
  error?: string;
  data: T;
}

/** A live Prometheus and Alertmanager pair, read through their HTTP APIs. */
export class Monitoring {
  constructor(
    readonly prometheusUrl: () => string,
    readonly alertmanagerUrl: () => string,
  ) {}

  /** An instant query, now or at `atMs`. */
  async query(expr: string, atMs?: number): Promise<Sample[]> {
    if (atMs === undefined) return instantQuery(this.prometheusUrl(), expr, 5_000);
    const body = new URLSearchParams({ query: expr, time: String(atMs / 1000) });
    const response = await fetch(`${this.prometheusUrl()}/api/v1/query`, { method: "POST", body, signal: AbortSignal.timeout(5_000) });
    const json = (await response.json()) as ApiResponse<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>;
    if (json.status !== "success") throw new Error(json.error ?? `HTTP ${response.status}`);
    return json.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  /** The value of a query that yields at most one series (undefined when it yields none). */
  async value(expr: string, atMs?: number): Promise<number | undefined> {
    const samples = await this.query(expr, atMs);
    return samples.length === 0 ? undefined : samples[0].value;
  }

  /** A range query; throws with Prometheus' message when the expression does not parse or evaluate. */
  async queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<RangeSeries[]> {
    const body = new URLSearchParams({ query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepSeconds) });
    const response = await fetch(`${this.prometheusUrl()}/api/v1/query_range`, { method: "POST", body, signal: AbortSignal.timeout(10_000) });
    const json = (await response.json()) as ApiResponse<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>;
    if (json.status !== "success") throw new Error(json.error ?? `HTTP ${response.status}`);
    return json.data.result.map((r) => ({ labels: r.metric, values: r.values.map(([t, v]) => [t, Number(v)]) }));
  }

  async prometheusAlerts(name?: string): Promise<PrometheusAlert[]> {
    const response = await fetch(`${this.prometheusUrl()}/api/v1/alerts`, { signal: AbortSignal.timeout(5_000) });
    const alerts = ((await response.json()) as ApiResponse<{ alerts: PrometheusAlert[] }>).data.alerts;
    return name === undefined ? alerts : alerts.filter((a) => a.labels.alertname === name);
  }

  async alertmanagerAlerts(name?: string): Promise<AlertmanagerAlert[]> {
    const response = await fetch(`${this.alertmanagerUrl()}/api/v2/alerts`, { signal: AbortSignal.timeout(5_000) });
    const alerts = (await response.json()) as AlertmanagerAlert[];
    return name === undefined ? alerts : alerts.filter((a) => a.labels.alertname === name);
  }
}

/** The few Prometheus and Alertmanager HTTP API calls the status command makes, each bounded in time. */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

interface QueryResponse {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** An instant query: one sample per series (NaN values kept as NaN). */
export async function instantQuery(prometheusUrl: string, expr: string, timeoutMs: number): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query: expr }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as QueryResponse;
  if (body.status !== "success" || body.data === undefined) throw new Error(`query failed: ${body.error ?? response.status}`);
  if (body.data.resultType !== "vector") throw new Error(`expected an instant vector, got ${body.data.resultType}`);
  return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

export interface ActiveAlert {
  name: string;
  severity: string;
  service?: string;
  /** firing (Alertmanager would notify), or pending (Prometheus waits for `for`). */
  state: "firing" | "pending";
  since: string;
  summary: string;
}

interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: string };
}

/** Alerts Alertmanager holds that are neither silenced nor inhibited: what people get paged for. */
export async function alertmanagerAlerts(alertmanagerUrl: string, timeoutMs: number): Promise<ActiveAlert[]> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts?active=true&silenced=false&inhibited=false`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Alertmanager answered ${response.status}`);
  const alerts = (await response.json()) as AlertmanagerAlert[];
  return alerts.map((a) => ({ name: a.labels.alertname, severity: a.labels.severity ?? "", service: a.labels.service, state: "firing", since: a.startsAt, summary: a.annotations.summary ?? "" }));
}

interface PrometheusAlertsResponse {
  data: { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string>; state: string; activeAt: string }> };
}

/** Alerts Prometheus evaluates as pending or firing (used when no Alertmanager answers). */
export async function prometheusAlerts(prometheusUrl: string, timeoutMs: number): Promise<ActiveAlert[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Prometheus answered ${response.status}`);
  const body = (await response.json()) as PrometheusAlertsResponse;
  return body.data.alerts.map((a) => ({
    name: a.labels.alertname,
    severity: a.labels.severity ?? "",
    service: a.labels.service,
    state: a.state === "firing" ? "firing" : "pending",
    since: a.activeAt,
    summary: a.annotations.summary ?? "",
  }));
}

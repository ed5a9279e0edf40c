import { APP_SERVICES, COMPONENTS } from "../config/components";
import { durationSeconds } from "../config/duration";
import type { StackConfig } from "../config/schema";
import { errorRatio, latencyQuantile, requestRate } from "../queries/http";
import { oneOf } from "../queries/promql";
import { processedRate, queueDepth, queueGrowthPerMinute } from "../queries/queue";
import { cpuSaturation, memorySaturation, restarts } from "../queries/resources";
import { BURN_WINDOWS, burnFactor } from "../queries/slo";
import { serviceUp } from "../queries/targets";
import { alertmanagerAlerts, instantQuery, prometheusAlerts, type ActiveAlert, type Sample } from "./prometheus-api";

/**
 * The traffic lights of `npm run status`. Each cell turns the colour of the alert that watches
 * it, at that alert's threshold from the typed config: red where a critical alert's condition
 * holds, amber where a warning's does, green otherwise. A cell no alert watches has no colour.
 * The conditions are read now, without waiting for `for`: the light changes first, the page follows.
 */

export type Light = "green" | "amber" | "red";
export const SIGNALS = ["up", "errorRatio", "p95", "queueDepth", "restarts", "cpu", "memory"] as const;
export type Signal = (typeof SIGNALS)[number];

export interface Cell {
  text: string;
  value?: number;
  /** Undefined: no alert watches this value for this service. */
  light?: Light;
  /** The alert whose condition sets the colour. */
  reason?: string;
}

export interface ServiceStatus {
  service: string;
  light: Light;
  cells: Record<Signal, Cell>;
  /** Names of the alerts firing for this service. */
  alerts: string[];
}

export interface StatusReport {
  at: string;
  prometheusUrl: string;
  alertmanagerUrl?: string;
  light: Light;
  services: ServiceStatus[];
  /** Firing alerts (from Alertmanager; from Prometheus when Alertmanager does not answer), Watchdog and InfoInhibitor left out. */
  alerts: ActiveAlert[];
  /** What could not be read (an unreachable API, a failed query). */
  problems: string[];
}

const APP = `~${oneOf(APP_SERVICES)}`;
/** Every call runs at once, each bounded: the whole status is read within this, well inside 5 s. */
const QUERY_TIMEOUT_MS = 2_500;
const PLUMBING_ALERTS = new Set(["Watchdog", "InfoInhibitor"]);

/** Every query the lights need, from the shared query functions and the alerts' own windows. */
export function statusQueries(config: StackConfig): Record<string, string> {
  const a = config.alerts;
  return {
    up: serviceUp(),
    requestRate: requestRate(APP, a.voteErrorRatio.window),
    errorRatio: errorRatio(APP, a.voteErrorRatio.window),
    p95: latencyQuantile(APP, 0.95, a.voteLatency.window),
    queueDepth: queueDepth(),
    queueGrowth: queueGrowthPerMinute(a.queue.window),
    processedRate: processedRate(a.queue.stalledWindow),
    restarts: restarts(a.restarts.window),
    cpu: cpuSaturation(a.cpu.window),
    memory: memorySaturation(),
  };
}

export interface StatusTargets {
  prometheusUrl: string;
  alertmanagerUrl?: string;
}

/** Reads every signal and the firing alerts in parallel (each bounded to 2.5 s) and judges them. */
export async function collectStatus(config: StackConfig, targets: StatusTargets): Promise<StatusReport> {
  const problems: string[] = [];
  const queries = statusQueries(config);
  const [results, alerts] = await Promise.all([
    Promise.all(
      Object.entries(queries).map(async ([key, expr]) => {
        try {
          return [key, await instantQuery(targets.prometheusUrl, expr, QUERY_TIMEOUT_MS)] as const;
        } catch (error) {
          problems.push(`${key}: ${describe(error, targets.prometheusUrl)}`);
          return [key, undefined] as const;
        }
      }),
    ),
    activeAlerts(targets, problems),
  ]);
  const samples = Object.fromEntries(results) as Record<keyof ReturnType<typeof statusQueries>, Sample[] | undefined>;
  return judge(config, samples, alerts, targets, problems);
}

/** Alertmanager's view (what pages people); Prometheus' when no Alertmanager answers. Both are asked at once. */
async function activeAlerts(targets: StatusTargets, problems: string[]): Promise<ActiveAlert[]> {
  const keep = (alerts: ActiveAlert[]) => alerts.filter((a) => !PLUMBING_ALERTS.has(a.name) && a.state === "firing");
  const [fromAlertmanager, fromPrometheus] = await Promise.allSettled([
    targets.alertmanagerUrl === undefined ? Promise.reject(new Error("no Alertmanager URL")) : alertmanagerAlerts(targets.alertmanagerUrl, QUERY_TIMEOUT_MS),
    prometheusAlerts(targets.prometheusUrl, QUERY_TIMEOUT_MS),
  ]);
  if (fromAlertmanager.status === "fulfilled") return keep(fromAlertmanager.value);
  if (targets.alertmanagerUrl !== undefined) problems.push(`alerts: ${describe(fromAlertmanager.reason, targets.alertmanagerUrl)}; showing Prometheus' view instead`);
  if (fromPrometheus.status === "fulfilled") return keep(fromPrometheus.value);
  problems.push(`alerts: ${describe(fromPrometheus.reason, targets.prometheusUrl)}`);
  return [];
}

function describe(error: unknown, url: string): string {
  const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return `${url}: ${message}`;
}

const byService = (samples: Sample[] | undefined) => new Map((samples ?? []).map((s) => [s.labels.service, s.value]));
const single = (samples: Sample[] | undefined) => (samples !== undefined && samples.length > 0 ? samples[0].value : undefined);
const known = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
const millis = (v: number) => `${Math.round(v * 1000)}ms`;

export function judge(config: StackConfig, samples: Record<string, Sample[] | undefined>, alerts: ActiveAlert[], targets: StatusTargets, problems: string[]): StatusReport {
  const a = config.alerts;
  const up = byService(samples.up);
  const requests = byService(samples.requestRate);
  const errors = byService(samples.errorRatio);
  const p95 = byService(samples.p95);
  const restartCounts = byService(samples.restarts);
  const cpu = byService(samples.cpu);
  const memory = byService(samples.memory);
  const depth = single(samples.queueDepth);
  const growth = single(samples.queueGrowth);
  const processed = single(samples.processedRate);
  // The slowest burn the SLO alerts ticket for (1× over 3d at a 30d period), as an error ratio.
  const budgetRatio = Math.min(...BURN_WINDOWS.map((w) => burnFactor(w, a.slo.period))) * (1 - a.slo.objective);

  const seen = new Set<string>([...up.keys(), ...restartCounts.keys(), ...cpu.keys(), ...requests.keys()]);
  const componentOrder = COMPONENTS as readonly string[];
  const order = (s: string) => (componentOrder.includes(s) ? componentOrder.indexOf(s) : componentOrder.length);
  const services = [...seen].filter((s) => s !== undefined).sort((x, y) => order(x) - order(y) || x.localeCompare(y));

  const rows = services.map((service): ServiceStatus => {
    const cells = {} as Record<Signal, Cell>;
    const upValue = up.get(service);
    cells.up = !known(upValue)
      ? { text: "?" }
      : upValue === 0
        ? { text: "down", value: 0, light: "red", reason: service === "redis" ? "RedisDown" : service === "postgres" ? "PostgresDown" : "TargetDown" }
        : { text: "up", value: 1, light: "green" };

    const isApp = (APP_SERVICES as readonly string[]).includes(service);
    const ratio = errors.get(service) ?? (known(requests.get(service)) && requests.get(service)! > 0 ? 0 : undefined);
    cells.errorRatio = !isApp || !known(ratio) ? { text: isApp ? "–" : "" } : service === "vote" ? level(ratio, percent(ratio), [[a.voteErrorRatio.threshold, "red", "VoteHighErrorRate"], [budgetRatio, "amber", "VoteErrorBudgetBurn"]]) : { text: percent(ratio), value: ratio };

    const latency = p95.get(service);
    cells.p95 = !isApp || !known(latency) ? { text: isApp ? "–" : "" } : service === "vote" ? level(latency, millis(latency), [[durationSeconds(a.voteLatency.p95), "amber", "VoteHighLatencyP95"]]) : { text: millis(latency), value: latency };

    cells.queueDepth = service !== "worker" ? { text: "" } : queueCell(depth, growth, processed, a.queue.depth, a.queue.growthPerMinute);

    const restarted = restartCounts.get(service);
    cells.restarts = !known(restarted) ? { text: "" } : level(restarted, String(Math.round(restarted)), [[a.restarts.count, "red", "ServiceCrashLooping", true]]);

    const cpuShare = cpu.get(service);
    cells.cpu = !known(cpuShare) ? { text: "" } : level(cpuShare, percent(cpuShare), [[a.cpu.threshold, "amber", "ServiceHighCpu"]]);
    const memoryShare = memory.get(service);
    cells.memory = !known(memoryShare) ? { text: "" } : level(memoryShare, percent(memoryShare), [[a.memory.threshold, "amber", "ServiceHighMemory"]]);

    const firing = alerts.filter((alert) => alert.service === service);
    const lights = [...Object.values(cells).map((c) => c.light), ...firing.map((alert) => severityLight(alert.severity))];
    return { service, cells, alerts: firing.map((alert) => alert.name), light: worst(lights) };
  });

  const unattached = alerts.filter((alert) => alert.service === undefined || !services.includes(alert.service)).map((alert) => severityLight(alert.severity));
  const overall = worst([...rows.map((r) => r.light), ...unattached, ...(samples.up === undefined ? (["red"] as const) : [])]);
  return { at: new Date().toISOString(), prometheusUrl: targets.prometheusUrl, alertmanagerUrl: targets.alertmanagerUrl, light: overall, services: rows, alerts, problems };
}

/** Colours `value` by the first threshold it passes (`>`, or `>=` when inclusive), else green. */
function level(value: number, text: string, thresholds: Array<[number, Light, string, boolean?]>): Cell {
  for (const [threshold, light, reason, inclusive] of thresholds) {
    if (inclusive ? value >= threshold : value > threshold) return { text, value, light, reason };
  }
  return { text, value, light: "green" };
}

/** The two queue alerts: WorkerNotConsuming (critical) and VoteQueueBacklog (warning). */
function queueCell(depth: number | undefined, growth: number | undefined, processed: number | undefined, limit: number, growthLimit: number): Cell {
  if (!known(depth)) return { text: "–" };
  const text = String(Math.round(depth));
  if (depth > 0 && (processed === undefined || processed === 0)) return { text, value: depth, light: "red", reason: "WorkerNotConsuming" };
  if (depth > limit && known(growth) && growth > growthLimit) return { text, value: depth, light: "amber", reason: "VoteQueueBacklog" };
  return { text, value: depth, light: "green" };
}

function severityLight(severity: string): Light | undefined {
  return severity === "critical" ? "red" : severity === "warning" ? "amber" : undefined;
}

const RANK: Record<Light, number> = { green: 0, amber: 1, red: 2 };

function worst(lights: Array<Light | undefined>): Light {
  return lights.reduce<Light>((acc, light) => (light !== undefined && RANK[light] > RANK[acc] ? light : acc), "green");
}

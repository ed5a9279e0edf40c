import { APP_SERVICES, COMPONENTS } from "../config/components";
import type { StackConfig } from "../config/schema";
import { errorRatioOrAbsent, latencyQuantile, requestRate } from "../queries/http";
import { oneOf } from "../queries/promql";
import { queueDepth } from "../queries/queue";
import { cpuSaturation, memorySaturation, restarts } from "../queries/resources";
import { activeAlerts as activeAlertSeries, datastoreUp, targetsCount, targetsUpCount } from "../queries/targets";
import { alertmanagerAlerts, instantQuery, prometheusAlerts, type ActiveAlert, type Sample } from "./prometheus-api";

/**
 * The traffic lights of `npm run status`. The values are read with the shared queries of
 * queries/ over the alerts' own windows; the colours are never judged here: each cell takes the
 * state of the alerts that watch it, as Prometheus records it in its `ALERTS` series. A firing
 * alert colours its cells with its severity (critical red, warning amber); a pending one (its
 * condition holds, its `for` has not passed) amber, whatever its severity: the light changes
 * first, the page follows. A cell no alert watches has no colour.
 */

export type Light = "green" | "amber" | "red";
export const SIGNALS = ["up", "errorRatio", "p95", "queueDepth", "restarts", "cpu", "memory"] as const;
export type Signal = (typeof SIGNALS)[number];

/** The alerts whose state colours each cell of a service's row. */
export const WATCHED_BY: Record<Signal, readonly string[]> = {
  up: ["ServiceDown", "TargetDown", "RedisDown", "PostgresDown"],
  errorRatio: ["VoteHighErrorRate", "VoteErrorBudgetBurn"],
  p95: ["VoteHighLatencyP95", "VoteHighLatencyP99"],
  queueDepth: ["WorkerNotConsuming", "VoteQueueBacklog"],
  restarts: ["ServiceCrashLooping"],
  cpu: ["ServiceHighCpu"],
  memory: ["ServiceHighMemory"],
};

export type AlertState = "pending" | "firing";

export interface Cell {
  text: string;
  value?: number;
  /** Undefined: no alert watches this value for this service. */
  light?: Light;
  /** The alert whose state sets the colour, and that state. */
  reason?: string;
  state?: AlertState;
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
  /** Firing alerts (from Alertmanager; from Prometheus when Alertmanager does not answer), the severity "none" plumbing (Watchdog, the inhibitors) left out. */
  alerts: ActiveAlert[];
  /** What could not be read (an unreachable API, a failed query). */
  problems: string[];
}

const APP = `~${oneOf(APP_SERVICES)}`;
/** Every call runs at once, each bounded: the whole status is read within this, well inside 5 s. */
const QUERY_TIMEOUT_MS = 2_500;

/** Every query the lights need: the shared query functions over the alerts' own windows, and `ALERTS`. */
export function statusQueries(config: StackConfig) {
  const a = config.alerts;
  return {
    alertStates: activeAlertSeries(),
    targetsUp: targetsUpCount(),
    targets: targetsCount(),
    redisUp: datastoreUp("redis"),
    postgresUp: datastoreUp("postgres"),
    requestRate: requestRate(APP, a.voteErrorRatio.window),
    errorRatio: errorRatioOrAbsent(APP, a.voteErrorRatio.window),
    p95: latencyQuantile(APP, 0.95, a.voteLatency.window),
    queueDepth: queueDepth(),
    restarts: restarts(a.restarts.window),
    cpu: cpuSaturation(a.cpu.window),
    memory: memorySaturation(),
  };
}
export type StatusQuery = keyof ReturnType<typeof statusQueries>;

export interface StatusTargets {
  prometheusUrl: string;
  alertmanagerUrl?: string;
}

/** Reads every value, the alert states and the firing alerts in parallel (each bounded to 2.5 s). */
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
    firingAlerts(targets, problems),
  ]);
  const samples = Object.fromEntries(results) as Partial<Record<StatusQuery, Sample[]>>;
  return judge(samples, alerts, targets, problems);
}

/** Alertmanager's view (what pages people); Prometheus' when no Alertmanager answers. Both are asked at once. */
async function firingAlerts(targets: StatusTargets, problems: string[]): Promise<ActiveAlert[]> {
  const keep = (alerts: ActiveAlert[]) => alerts.filter((a) => a.severity !== "none" && a.state === "firing");
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

/** A live ratio as a person reads it: 0.0123 → "1.23%", 0.256 → "25.6%" (two decimals below 10%). */
export const livePercent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
const millis = (v: number) => `${Math.round(v * 1000)}ms`;

/**
 * The colour of a cell: the worst state among the alerts that watch it for this service (a firing
 * alert its severity's colour, a pending one amber); a firing alert wins over a pending one of the
 * same colour. Green when none is pending or firing.
 */
function colour(states: readonly Sample[], service: string, signal: Signal): Pick<Cell, "light" | "reason" | "state"> {
  let best: Pick<Cell, "light" | "reason" | "state"> = { light: "green" };
  let bestRank = 0;
  for (const { labels } of states) {
    if (labels.service !== service || !WATCHED_BY[signal].includes(labels.alertname)) continue;
    const state: AlertState = labels.alertstate === "firing" ? "firing" : "pending";
    const light: Light = state === "firing" ? (severityLight(labels.severity) ?? "green") : "amber";
    const rank = RANK[light] * 2 + (state === "firing" ? 1 : 0);
    if (light !== "green" && rank > bestRank) {
      best = { light, reason: labels.alertname, state };
      bestRank = rank;
    }
  }
  return best;
}

/** The report from the queried values and alert states; only `alertStates` colours anything. */
export function judge(samples: Partial<Record<StatusQuery, Sample[]>>, alerts: ActiveAlert[], targets: StatusTargets, problems: string[]): StatusReport {
  const states = samples.alertStates ?? [];
  const upCount = byService(samples.targetsUp);
  const targetCount = byService(samples.targets);
  const datastores = new Map([...byService(samples.redisUp), ...byService(samples.postgresUp)]);
  const requests = byService(samples.requestRate);
  const errors = byService(samples.errorRatio);
  const p95 = byService(samples.p95);
  const restartCounts = byService(samples.restarts);
  const cpu = byService(samples.cpu);
  const memory = byService(samples.memory);
  const depth = single(samples.queueDepth);

  const seen = new Set<string>([...targetCount.keys(), ...restartCounts.keys(), ...cpu.keys(), ...requests.keys()]);
  const componentOrder = COMPONENTS as readonly string[];
  const order = (s: string) => (componentOrder.includes(s) ? componentOrder.indexOf(s) : componentOrder.length);
  const services = [...seen].filter((s) => s !== undefined).sort((x, y) => order(x) - order(y) || x.localeCompare(y));

  const rows = services.map((service): ServiceStatus => {
    const isApp = (APP_SERVICES as readonly string[]).includes(service);
    const watched = (signal: Signal, text: string, value?: number): Cell => ({ text, ...(value === undefined ? {} : { value }), ...colour(states, service, signal) });
    const unwatched = (text: string, value?: number): Cell => ({ text, ...(value === undefined ? {} : { value }) });

    const cells = {} as Record<Signal, Cell>;
    cells.up = watched("up", upText(upCount.get(service), targetCount.get(service), datastores.get(service)), upCount.get(service));

    const ratio = errors.get(service) ?? (known(requests.get(service)) ? 0 : undefined);
    cells.errorRatio = !isApp ? unwatched("") : !known(ratio) ? watched("errorRatio", "–") : watched("errorRatio", livePercent(ratio), ratio);

    const latency = p95.get(service);
    cells.p95 = !isApp ? unwatched("") : !known(latency) ? watched("p95", "–") : watched("p95", millis(latency), latency);

    cells.queueDepth = service !== "worker" ? unwatched("") : !known(depth) ? watched("queueDepth", "–") : watched("queueDepth", String(Math.round(depth)), depth);

    const restarted = restartCounts.get(service);
    cells.restarts = !known(restarted) ? unwatched("") : watched("restarts", String(Math.round(restarted)), restarted);
    const cpuShare = cpu.get(service);
    cells.cpu = !known(cpuShare) ? unwatched("") : watched("cpu", livePercent(cpuShare), cpuShare);
    const memoryShare = memory.get(service);
    cells.memory = !known(memoryShare) ? unwatched("") : watched("memory", livePercent(memoryShare), memoryShare);

    const firing = alerts.filter((alert) => alert.service === service);
    const lights = [...Object.values(cells).map((c) => c.light), ...firing.map((alert) => severityLight(alert.severity))];
    return { service, cells, alerts: firing.map((alert) => alert.name), light: worst(lights) };
  });

  const unattached = alerts.filter((alert) => alert.service === undefined || !services.includes(alert.service)).map((alert) => severityLight(alert.severity));
  const unreadable = samples.alertStates === undefined || samples.targets === undefined ? (["red"] as const) : [];
  const overall = worst([...rows.map((r) => r.light), ...unattached, ...unreadable]);
  return { at: new Date().toISOString(), prometheusUrl: targets.prometheusUrl, alertmanagerUrl: targets.alertmanagerUrl, light: overall, services: rows, alerts, problems };
}

/** "up", "1/2 up", "down"; for Redis and Postgres, whether the exporter reaches the server too. */
function upText(up: number | undefined, total: number | undefined, server: number | undefined): string {
  if (!known(up) || !known(total)) return "?";
  const targets = up === 0 ? "down" : up === total ? "up" : `${up}/${total} up`;
  return server === 0 && up > 0 ? "no server" : targets;
}

function severityLight(severity: string | undefined): Light | undefined {
  return severity === "critical" ? "red" : severity === "warning" ? "amber" : undefined;
}

const RANK: Record<Light, number> = { green: 0, amber: 1, red: 2 };

function worst(lights: Array<Light | undefined>): Light {
  return lights.reduce<Light>((acc, light) => (light !== undefined && RANK[light] > RANK[acc] ? light : acc), "green");
}

import { alertDefinition, compared, type AlertRule, type Compared } from "../alert-rules";
import type { StackConfig } from "../config/schema";
import type { DashboardKey } from "../queries/links";
import { ofService } from "../queries/promql";
import { highest, lowest, roundedUp, total } from "../queries/reduce";
import { DOWN_VALUE } from "../queries/targets";
import { percent } from "./format";
import { stepsFor } from "./thresholds";

/**
 * The Overview's row of lights, one per service. Each light shows the operand of one alert of
 * that service, taken from the alert's own condition, and turns that alert's colour at the
 * condition's threshold, so it changes colour exactly when the alert's condition starts to hold
 * (the alert then waits its `for`). Every light reads DOWN, in red, while ServiceDown's condition
 * holds for the service (no target of it answers).
 */
export interface TrafficLight {
  service: string;
  /** The stat's query: the alert's operand for this service, -1 while the service is down. */
  expr: string;
  unit: string;
  decimals?: number;
  /** The alert the light follows; its condition gives the operand, comparison, threshold and colour. */
  alert: AlertRule;
  condition: Compared;
  /** One line for the panel's description. */
  explanation: string;
  /** Labels of the 0/1 signals (1 is the healthy state). */
  states?: { zero: string; one: string };
  /** Where a click on the light leads, with the service selected. */
  dashboard: DashboardKey;
}

interface LightSpec {
  service: string;
  alert: string;
  /** How the operand's series become the one number the light shows. */
  reduce: (expr: string) => string;
  /** The operand spans services: keep only this light's. */
  narrow?: boolean;
  /** No series means nothing wrong (as for the alert that would not fire either): show 0. */
  zeroWhenAbsent: boolean;
  unit: string;
  decimals?: number;
  states?: { zero: string; one: string };
  dashboard: DashboardKey;
  explain: (c: Compared, colour: string) => string;
}

const colourWord = (alert: AlertRule) => (alert.labels.severity === "critical" ? "red" : "orange");

const SPECS: readonly LightSpec[] = [
  {
    service: "vote",
    alert: "VoteHighErrorRate",
    reduce: highest,
    zeroWhenAbsent: true,
    unit: "percentunit",
    decimals: 2,
    dashboard: "userExperience",
    explain: (c, colour) => `Share of vote requests answering 5xx; ${colour} above ${percent(c.threshold)} (VoteHighErrorRate).`,
  },
  {
    service: "worker",
    alert: "VoteQueueBacklog",
    reduce: highest,
    zeroWhenAbsent: true,
    unit: "short",
    decimals: 0,
    dashboard: "internalHealth",
    explain: (c, colour) => `Votes waiting in Redis for the worker; ${colour} above ${c.threshold} (VoteQueueBacklog, which also needs the queue to keep growing).`,
  },
  {
    service: "result",
    alert: "DependencyUnreachable",
    reduce: lowest,
    narrow: true,
    zeroWhenAbsent: false,
    unit: "none",
    states: { zero: "no Postgres", one: "OK" },
    dashboard: "internalHealth",
    explain: (_c, colour) => `Whether result reaches Postgres; ${colour} when it cannot (DependencyUnreachable).`,
  },
  ...(["redis", "postgres"] as const).map(
    (service): LightSpec => ({
      service,
      alert: service === "redis" ? "RedisDown" : "PostgresDown",
      reduce: highest,
      zeroWhenAbsent: false,
      unit: "none",
      states: { zero: "DOWN", one: "UP" },
      dashboard: "internalHealth",
      explain: (_c, colour) => `Whether the exporter reaches ${service === "redis" ? "Redis" : "Postgres"}; ${colour} when it cannot (${service === "redis" ? "RedisDown" : "PostgresDown"}).`,
    }),
  ),
  {
    service: "prometheus",
    alert: "PrometheusNotificationsFailing",
    reduce: highest,
    zeroWhenAbsent: true,
    unit: "percentunit",
    decimals: 2,
    dashboard: "logs",
    explain: (c, colour) => `Share of alerts Prometheus failed to hand to Alertmanager; ${colour} above ${percent(c.threshold)} (PrometheusNotificationsFailing).`,
  },
  {
    service: "alertmanager",
    alert: "AlertmanagerNotificationsFailing",
    reduce: highest,
    zeroWhenAbsent: true,
    unit: "percentunit",
    decimals: 2,
    dashboard: "logs",
    explain: (c, colour) => `Share of Slack/email notifications that failed; ${colour} above ${percent(c.threshold)} (AlertmanagerNotificationsFailing).`,
  },
  {
    service: "loki",
    alert: "LokiDiscardingLogs",
    reduce: (expr) => roundedUp(total(expr)),
    zeroWhenAbsent: true,
    unit: "short",
    decimals: 0,
    dashboard: "logs",
    explain: (_c, colour) => `Log lines Loki refused recently; ${colour} from the first one (LokiDiscardingLogs).`,
  },
];

export function trafficLights(config: StackConfig): TrafficLight[] {
  const down = alertDefinition(config, "ServiceDown");
  return SPECS.map((spec) => {
    const alert = alertDefinition(config, spec.alert);
    const condition = comparedOf(alert);
    const operand = spec.narrow ? ofService(condition.operand, spec.service) : condition.operand;
    return {
      service: spec.service,
      expr: lightSignal(downSignal(down, spec.service), spec.reduce(operand), spec.zeroWhenAbsent),
      unit: spec.unit,
      decimals: spec.decimals,
      alert,
      condition,
      explanation: spec.explain(condition, colourWord(alert)),
      states: spec.states,
      dashboard: spec.dashboard,
    };
  });
}

function comparedOf(alert: AlertRule): Compared {
  if (!compared(alert.condition)) throw new Error(`${alert.alert} compares nothing; a light cannot follow it`);
  return alert.condition;
}

/** 1 while ServiceDown's condition holds for the service (its operand compared as the alert does), else nothing. */
function downSignal(serviceDown: AlertRule, service: string): string {
  const c = comparedOf(serviceDown);
  return `${highest(ofService(c.operand, service))} ${c.comparison} bool ${c.threshold} == 1`;
}

/**
 * What a light shows: {@link DOWN_VALUE} while the service is down, else `signal`, else 0 when
 * `zeroWhenAbsent`.
 */
function lightSignal(down: string, signal: string, zeroWhenAbsent: boolean): string {
  return [`(${down}) * ${DOWN_VALUE}`, `(${signal})`, ...(zeroWhenAbsent ? ["vector(0)"] : [])].join("\nor on ()\n");
}

/** The colour steps of a light: its alert's threshold, in the alert's severity colour. */
export function lightSteps(light: TrafficLight) {
  return stepsFor(light.alert);
}

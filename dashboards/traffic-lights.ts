import type { StackConfig } from "../config/schema";
import { errorRatio, errorRatioOrAbsent } from "../queries/http";
import type { DashboardKey } from "../queries/links";
import { percent } from "./format";
import { queueDepth } from "../queries/queue";
import { highest, lowest, roundedUp, total } from "../queries/reduce";
import { LOG_LOSS_WINDOW, NOTIFICATION_WINDOW, alertmanagerNotificationFailureRatio, lokiDiscardedLines, prometheusNotificationFailureRatio } from "../queries/self-monitoring";
import { datastoreUp, dependencyReachable, lightSignal } from "../queries/targets";
import { stepsFor, type AlertCondition } from "./thresholds";

/**
 * The Overview's row of lights, one per service. Each light shows the number one alert of that
 * service compares, with that alert's threshold from config as its colour step, so the light
 * changes colour exactly when the alert's condition starts to hold (the alert then waits its
 * `for` before it fires). Every light also reads DOWN, in red, while TargetDown (or RedisDown /
 * PostgresDown) holds for the service.
 */
export interface TrafficLight {
  service: string;
  /** The stat's query: the signal, -1 while the service is down. */
  expr: string;
  unit: string;
  decimals?: number;
  /** The alert the colours follow, and the text of its condition as the rule writes it. */
  condition: AlertCondition;
  /** The expression the alert compares with its threshold, exactly as the alert's rule writes it. */
  operand: string;
  /** One line for the panel's description. */
  explanation: string;
  /** Labels of the 0/1 signals (1 is the healthy state). */
  states?: { zero: string; one: string };
  /** Where a click on the light leads, with the service selected. */
  dashboard: DashboardKey;
}

export function trafficLights(config: StackConfig): TrafficLight[] {
  const { voteErrorRatio, queue, selfMonitoring } = config.alerts;
  const failureRatio = selfMonitoring.notificationFailureRatio;

  return [
    {
      service: "vote",
      expr: lightSignal("vote", errorRatioOrAbsent("vote", voteErrorRatio.window), true),
      unit: "percentunit",
      decimals: 2,
      condition: { alert: "VoteHighErrorRate", severity: "critical", op: ">", threshold: voteErrorRatio.threshold },
      operand: errorRatio("vote", voteErrorRatio.window),
      explanation: `Share of vote requests answering 5xx over ${voteErrorRatio.window}; red above ${percent(voteErrorRatio.threshold)} (VoteHighErrorRate).`,
      dashboard: "userExperience",
    },
    {
      service: "worker",
      expr: lightSignal("worker", queueDepth(), true),
      unit: "short",
      decimals: 0,
      condition: { alert: "VoteQueueBacklog", severity: "warning", op: ">", threshold: queue.depth, integer: true },
      operand: queueDepth(),
      explanation: `Votes waiting in Redis for the worker; orange above ${queue.depth} (VoteQueueBacklog, which also needs the queue to keep growing).`,
      dashboard: "internalHealth",
    },
    {
      service: "result",
      expr: lightSignal("result", lowest(dependencyReachable("result")), false),
      unit: "none",
      condition: { alert: "DependencyUnreachable", severity: "warning", op: "== 0", threshold: 0 },
      operand: dependencyReachable(),
      explanation: "Whether result reaches Postgres; orange when it cannot (DependencyUnreachable).",
      states: { zero: "no Postgres", one: "OK" },
      dashboard: "internalHealth",
    },
    ...(["redis", "postgres"] as const).map(
      (service): TrafficLight => ({
        service,
        expr: lightSignal(service, highest(datastoreUp(service)), false),
        unit: "none",
        condition: { alert: service === "redis" ? "RedisDown" : "PostgresDown", severity: "critical", op: "== 0", threshold: 0 },
        operand: datastoreUp(service),
        explanation: `Whether the exporter reaches ${service === "redis" ? "Redis" : "Postgres"}; red when it cannot (${service === "redis" ? "RedisDown" : "PostgresDown"}).`,
        states: { zero: "DOWN", one: "UP" },
        dashboard: "internalHealth",
      }),
    ),
    {
      service: "prometheus",
      expr: lightSignal("prometheus", highest(prometheusNotificationFailureRatio(NOTIFICATION_WINDOW)), true),
      unit: "percentunit",
      decimals: 2,
      condition: { alert: "PrometheusNotificationsFailing", severity: "critical", op: ">", threshold: failureRatio },
      operand: prometheusNotificationFailureRatio(NOTIFICATION_WINDOW),
      explanation: `Share of alerts Prometheus failed to hand to Alertmanager; red above ${percent(failureRatio)} (PrometheusNotificationsFailing).`,
      dashboard: "logs",
    },
    {
      service: "alertmanager",
      expr: lightSignal("alertmanager", highest(alertmanagerNotificationFailureRatio(NOTIFICATION_WINDOW)), true),
      unit: "percentunit",
      decimals: 2,
      condition: { alert: "AlertmanagerNotificationsFailing", severity: "critical", op: ">", threshold: failureRatio },
      operand: alertmanagerNotificationFailureRatio(NOTIFICATION_WINDOW),
      explanation: `Share of Slack/email notifications that failed; red above ${percent(failureRatio)} (AlertmanagerNotificationsFailing).`,
      dashboard: "logs",
    },
    {
      service: "loki",
      expr: lightSignal("loki", roundedUp(total(lokiDiscardedLines(LOG_LOSS_WINDOW))), true),
      unit: "short",
      decimals: 0,
      condition: { alert: "LokiDiscardingLogs", severity: "warning", op: ">", threshold: 0, integer: true },
      operand: lokiDiscardedLines(LOG_LOSS_WINDOW),
      explanation: `Log lines Loki refused in the last ${LOG_LOSS_WINDOW}; orange from the first one (LokiDiscardingLogs).`,
      dashboard: "logs",
    },
  ];
}

/** The colour steps of a light: its alert's threshold, in the alert's severity colour. */
export function lightSteps(light: TrafficLight) {
  return stepsFor(light.condition);
}

import { PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { alertDefinition } from "../alert-rules";
import { COMPONENTS } from "../config/components";
import type { StackConfig } from "../config/schema";
import { errorRatio, latencyQuantile, requestRate } from "../queries/http";
import { errorLogsForVariable } from "../queries/logql";
import { drainRate, ingestRate, queueDepth } from "../queries/queue";
import { budgetRemaining } from "../queries/slo";
import { DOWN_VALUE, firingAlerts } from "../queries/targets";
import { RATE_WINDOW, lokiQuery, promQuery } from "./datasources";
import { finish, newDashboard, type RenderedDashboard } from "./dashboard";
import { errorBudget, percent } from "./format";
import { CELL_VALUE, linkTo } from "./links";
import { logsPanel, row, statPanel, tablePanel, timeSeries, valueTexts } from "./panels";
import { COLORS, steps, stepsFor } from "./thresholds";
import { lightSteps, trafficLights, type TrafficLight } from "./traffic-lights";
import { SERVICE, serviceVariable } from "./variables";

/**
 * The home dashboard: within five seconds, is every light green? Then the vote app as users
 * feel it, the queue between vote and worker, what is firing, and the selected service's errors.
 */
export function overviewDashboard(config: StackConfig): RenderedDashboard {
  const { voteErrorRatio, voteLatency, slo, queue } = config.alerts;
  const budget = errorBudget(slo.objective);

  const builder = newDashboard("overview", "voteobs / Overview", "Is every light green? Each light turns its alert's colour exactly when that alert's condition holds; click a light for the details of its service.")
    .withVariable(serviceVariable(COMPONENTS, { all: true }))
    .withRow(row("Is every light green?"));
  for (const light of trafficLights(config)) builder.withPanel(trafficLightPanel(light));

  builder
    .withRow(row("Voting, as users feel it"))
    .withPanel(
      timeSeries({
        title: "Vote error ratio",
        description: `Share of vote requests answering 5xx over ${voteErrorRatio.window}. Orange line: the ${percent(slo.objective)} objective (at most ${percent(budget)} errors); red line: VoteHighErrorRate fires above ${percent(voteErrorRatio.threshold)}.`,
        targets: [promQuery("A", errorRatio("vote", voteErrorRatio.window), { legend: "5xx share" })],
        unit: "percentunit",
        min: 0,
        lines: steps(COLORS.ok, [budget, COLORS.warning], [voteErrorRatio.threshold, COLORS.critical]),
        w: 8,
        h: 7,
        links: [linkTo("Error logs of vote", "logs", "vote"), linkTo("Routes and status classes", "userExperience", "vote")],
      }),
    )
    .withPanel(
      statPanel({
        title: "Error budget left",
        description: `Share of the ${slo.period} error budget (${percent(budget)} of requests) still unspent. Red once it is spent.`,
        targets: [promQuery("A", budgetRemaining(), { instant: true })],
        unit: "percentunit",
        decimals: 1,
        steps: steps(COLORS.critical, [0, COLORS.warning], [0.25, COLORS.ok]),
        w: 4,
        h: 7,
        links: [linkTo("Burn rates", "userExperience", "vote")],
      }),
    );
  for (const [label, quantile, threshold, alert] of [
    ["p95", 0.95, voteLatency.p95, "VoteHighLatencyP95"],
    ["p99", 0.99, voteLatency.p99, "VoteHighLatencyP99"],
  ] as const) {
    builder.withPanel(
      statPanel({
        title: `Vote latency ${label}`,
        description: `${label} of vote request duration over ${voteLatency.window}; orange above ${threshold} (${alert}).`,
        targets: [promQuery("A", latencyQuantile("vote", quantile, voteLatency.window), { instant: true })],
        unit: "s",
        decimals: 3,
        steps: stepsFor(alertDefinition(config, alert)),
        sparkline: true,
        w: 3,
        h: 7,
      }),
    );
  }
  builder
    .withPanel(
      timeSeries({
        title: "Vote throughput",
        description: "Requests per second the vote app answers, every status included: the capacity-planning number.",
        targets: [promQuery("A", requestRate("vote", RATE_WINDOW), { legend: "requests/s" })],
        unit: "reqps",
        min: 0,
        w: 6,
        h: 7,
      }),
    )
    .withRow(row("The queue between vote and worker"))
    .withPanel(
      timeSeries({
        title: "Votes waiting in Redis",
        description: `Length of the Redis list \`votes\`. Orange line: VoteQueueBacklog's depth (${queue.depth}); it fires when the queue is above it and still growing.`,
        targets: [promQuery("A", queueDepth(), { legend: "waiting" })],
        unit: "short",
        min: 0,
        lines: stepsFor(alertDefinition(config, "VoteQueueBacklog")),
        w: 12,
        h: 7,
        links: [linkTo("Queue and worker details", "internalHealth", "worker")],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Votes in vs votes stored",
        description: "Votes per second vote pushes onto the queue, and votes per second the worker stores in Postgres. Stored below pushed for long means the queue grows.",
        targets: [promQuery("A", ingestRate(RATE_WINDOW), { legend: "pushed by vote" }), promQuery("B", drainRate(RATE_WINDOW), { legend: "stored by worker" })],
        unit: "short",
        min: 0,
        w: 12,
        h: 7,
        links: [linkTo("Queue and worker details", "internalHealth", "worker")],
      }),
    )
    .withRow(row("What is firing"))
    .withPanel(
      tablePanel({
        title: "Firing alerts",
        description: "Alerts Prometheus fires now (Watchdog and the inhibitors left out). Silenced or inhibited alerts are listed too: Alertmanager decides who is told. Click a service for its logs.",
        target: promQuery("A", firingAlerts(), { instant: true, format: PromQueryFormat.Table }),
        columns: ["alertname", "severity", "service", "instance"],
        columnLinks: { service: [linkTo(`Logs of ${CELL_VALUE}`, "logs", CELL_VALUE)] },
        w: 24,
        h: 7,
      }),
    )
    .withRow(row("Error logs of $service"))
    .withPanel(
      logsPanel({
        title: "Error logs of $service",
        description: "Lines at level error or fatal of the services chosen above (the `service` variable; an alert's dashboard link chooses its service).",
        target: lokiQuery("A", errorLogsForVariable(SERVICE)),
        w: 24,
        h: 10,
      }),
    );
  return finish(builder);
}

/** A light: the colour of its alert's threshold, DOWN in red while the service is down. */
function trafficLightPanel(light: TrafficLight) {
  const alarm = lightSteps(light)[0].color;
  const texts: Record<number, { text: string; color: string }> = { [DOWN_VALUE]: { text: "DOWN", color: COLORS.critical } };
  if (light.states) Object.assign(texts, { 0: { text: light.states.zero, color: alarm }, 1: { text: light.states.one, color: COLORS.ok } });
  return statPanel({
    title: light.service,
    description: `${light.explanation} Reads DOWN while no target of ${light.service} can be scraped (ServiceDown).`,
    targets: [promQuery("A", light.expr, { instant: true })],
    unit: light.unit,
    decimals: light.decimals,
    steps: lightSteps(light),
    mappings: [valueTexts(texts)],
    tile: true,
    w: 3,
    h: 4,
    links: [linkTo(`Details of ${light.service}`, light.dashboard, light.service), linkTo(`Logs of ${light.service}`, "logs", light.service)],
  });
}

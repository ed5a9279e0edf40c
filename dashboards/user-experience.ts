import { PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { alertDefinition } from "../alert-rules";
import { APP_SERVICES } from "../config/components";
import type { StackConfig } from "../config/schema";
import { errorRatio, errorRatioByRoute, latencyBuckets, latencyQuantile, requestRateByRouteAndStatus } from "../queries/http";
import { budgetRemaining, burnFactor, burnRate, burnRateWindows, BURN_WINDOWS, periodSli } from "../queries/slo";
import { RATE_WINDOW, promQuery } from "./datasources";
import { finish, newDashboard, type RenderedDashboard } from "./dashboard";
import { errorBudget, percent } from "./format";
import { linkTo } from "./links";
import { heatmapPanel, row, statPanel, timeSeries } from "./panels";
import { COLORS, steps, stepsFor } from "./thresholds";
import { SERVICE, serviceVariable } from "./variables";

/**
 * What users feel (the seed's "most important" area): rate, errors and duration per route and
 * status class, the latency distribution, and the vote availability SLO with its burn rates.
 */
export function userExperienceDashboard(config: StackConfig): RenderedDashboard {
  const { voteErrorRatio, voteLatency, slo } = config.alerts;
  const selected = `~${SERVICE}`;
  const logsLink = linkTo("Error logs of $service", "logs", SERVICE);

  const builder = newDashboard("userExperience", "voteobs / User experience", "Rate, errors and duration of the HTTP services per route and status class; the vote availability SLO and how fast its error budget burns.")
    .withVariable(serviceVariable(APP_SERVICES, { one: "vote" }))
    .withRow(row("Rate, errors, duration of $service"))
    .withPanel(
      timeSeries({
        title: "Error ratio of $service",
        description: `Share of requests answering 5xx over ${voteErrorRatio.window}, computed as VoteHighErrorRate computes it for vote. Orange line: the ${percent(errorBudget(slo.objective))} the SLO allows; red line: VoteHighErrorRate fires above ${percent(voteErrorRatio.threshold)} for ${voteErrorRatio.for}.`,
        targets: [promQuery("A", errorRatio(selected, voteErrorRatio.window), { legend: "{{service}}" })],
        unit: "percentunit",
        min: 0,
        lines: steps(COLORS.ok, [errorBudget(slo.objective), COLORS.warning], [voteErrorRatio.threshold, COLORS.critical]),
        w: 8,
        h: 8,
        links: [logsLink],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Requests per second by route and status class",
        description: "Every answered request, stacked per route and status class (2xx, 4xx, 5xx).",
        targets: [promQuery("A", requestRateByRouteAndStatus(selected, RATE_WINDOW), { legend: "{{route}} {{status}}" })],
        unit: "reqps",
        stacked: true,
        min: 0,
        w: 8,
        h: 8,
        links: [logsLink],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Error ratio by route",
        description: `Share of each route's requests answering 5xx. Orange line: the ${percent(errorBudget(slo.objective))} the vote SLO allows.`,
        targets: [promQuery("A", errorRatioByRoute(selected, RATE_WINDOW), { legend: "{{route}}" })],
        unit: "percentunit",
        min: 0,
        lines: steps(COLORS.ok, [errorBudget(slo.objective), COLORS.warning]),
        w: 8,
        h: 8,
        links: [logsLink],
      }),
    );
  for (const [label, quantile, threshold, alert] of [
    ["p95", 0.95, voteLatency.p95, "VoteHighLatencyP95"],
    ["p99", 0.99, voteLatency.p99, "VoteHighLatencyP99"],
  ] as const) {
    builder.withPanel(
      timeSeries({
        title: `Latency ${label} by route`,
        description: `${label} of request duration per route. Orange line: ${alert} fires when vote's ${label} stays above ${threshold} for ${voteLatency.for}.`,
        targets: [promQuery("A", latencyQuantile(selected, quantile, RATE_WINDOW, ["route"]), { legend: "{{route}}" })],
        unit: "s",
        min: 0,
        lines: stepsFor(alertDefinition(config, alert)),
        w: 12,
        h: 8,
        links: [logsLink],
      }),
    );
  }
  builder
    .withPanel(
      heatmapPanel({
        title: "Latency distribution",
        description: "How many requests fell in each duration bucket over time; a band moving up is everyone getting slower, a thin high band is a few slow requests.",
        target: promQuery("A", latencyBuckets(selected, RATE_WINDOW), { legend: "{{le}}", format: PromQueryFormat.Heatmap }),
        unit: "s",
        w: 24,
        h: 8,
      }),
    )
    .withRow(row(`Vote availability SLO: ${percent(slo.objective)} over ${slo.period}`))
    .withPanel(
      timeSeries({
        title: "Error budget burn rate",
        description: `Error ratio of each window divided by the budget (${percent(errorBudget(slo.objective))}); 1 spends the budget exactly in ${slo.period}. Lines: the burn rates at which VoteErrorBudgetBurn pages (red) or opens a ticket (orange) when both windows of a pair exceed them.`,
        targets: burnRateWindows().map((window, i) => promQuery(String.fromCharCode(65 + i), burnRate(window), { legend: window })),
        unit: "suffix:×",
        min: 0,
        lines: burnLines(config),
        w: 16,
        h: 8,
      }),
    )
    .withPanel(
      statPanel({
        title: "Error budget left",
        description: `Share of the ${slo.period} error budget still unspent.`,
        targets: [promQuery("A", budgetRemaining(), { instant: true })],
        unit: "percentunit",
        decimals: 1,
        steps: steps(COLORS.critical, [0, COLORS.warning], [0.25, COLORS.ok]),
        w: 4,
        h: 8,
      }),
    )
    .withPanel(
      statPanel({
        title: `Error ratio over ${slo.period}`,
        description: `Share of vote requests answering 5xx over the whole budget period; red above the ${percent(errorBudget(slo.objective))} the objective allows.`,
        targets: [promQuery("A", periodSli(slo.period), { instant: true })],
        unit: "percentunit",
        decimals: 3,
        steps: steps(COLORS.ok, [errorBudget(slo.objective), COLORS.critical]),
        w: 4,
        h: 8,
      }),
    );
  return finish(builder);
}

/** One line per burn-rate factor of the alert windows, coloured by the severity it pages with. */
function burnLines(config: StackConfig) {
  const factors = new Map<number, string>();
  for (const window of BURN_WINDOWS) {
    const factor = burnFactor(window, config.alerts.slo.period);
    factors.set(factor, window.severity === "critical" ? COLORS.critical : COLORS.warning);
  }
  const ordered = [...factors.entries()].sort(([a], [b]) => a - b);
  return steps(COLORS.ok, ...ordered);
}

import { durationSeconds, formatDuration, type Duration } from "../config/duration";
import type { AlertsConfig } from "../config/schema";
import { num } from "../queries/promql";
import {
  BUDGET_REMAINING_RECORD,
  BURN_RATE_RECORD,
  BURN_WINDOWS,
  ERROR_BUDGET_RECORD,
  OBJECTIVE_RECORD,
  pagedRecently,
  sliWindows,
  SLO_LABELS,
  burnFactor,
  burnThreshold,
  currentBurnRate,
  periodErrorRatio,
  periodRecord,
  sli,
  sliExpression,
  sliRecord,
  type BurnWindow,
} from "../queries/slo";
import { alertRule, type AlertContext } from "./build";
import type { Compared } from "./condition";
import { durationWords, percent } from "./i18n";
import type { RuleFile } from "./types";

/**
 * The vote availability SLO (objective from config, 99.9% by default): SLI recording rules per
 * window, budget bookkeeping for dashboards, and the multi-window multi-burn-rate alerts.
 */
export function sloRules(alerts: AlertsConfig, ctx: AlertContext, windows: readonly BurnWindow[] = BURN_WINDOWS): RuleFile {
  const { objective, period } = alerts.slo;
  const labels = { ...SLO_LABELS, service: "vote" };

  return {
    name: "slo",
    groups: [
      {
        name: "voteobs.slo.sli",
        rules: sliWindows(windows).map((window) => ({ record: sliRecord(window), expr: sliExpression(window), labels })),
      },
      {
        name: "voteobs.slo.budget",
        rules: [
          { record: OBJECTIVE_RECORD, expr: `vector(${num(objective)})`, labels },
          { record: ERROR_BUDGET_RECORD, expr: `vector(${num(1 - objective)})`, labels },
          { record: periodRecord(period), expr: periodErrorRatio(period), labels },
          { record: BURN_RATE_RECORD, expr: currentBurnRate() },
          { record: BUDGET_REMAINING_RECORD, expr: `1 - ${periodRecord(period)}{slo="${SLO_LABELS.slo}"} / on (slo) group_left ${ERROR_BUDGET_RECORD}{slo="${SLO_LABELS.slo}"}` },
        ],
      },
      { name: "voteobs.slo.alerts", rules: [...windows.map((window) => burnAlert(window, alerts, ctx)), burnInhibitor(windows, ctx)] },
    ],
  };
}

/** Both windows of one pair above the pair's burn threshold: the long one says it matters, the short one that it still happens. */
function burnCondition(window: BurnWindow, alerts: AlertsConfig): Compared {
  const { objective, period, pageFor, ticketFor } = alerts.slo;
  const threshold = burnThreshold(window, objective, period);
  return {
    operand: sli(window.long),
    comparison: ">",
    threshold,
    clauses: [{ op: "and", condition: { operand: sli(window.short), comparison: ">", threshold } }],
    for: window.severity === "critical" ? pageFor : ticketFor,
  };
}

/**
 * One alert per window pair (as pyrra emits them), so each pair can be tested and read alone; all
 * are VoteErrorBudgetBurn, told apart by `long_window` and `short_window`. The two page pairs are
 * critical, the two ticket pairs warning.
 */
function burnAlert(window: BurnWindow, alerts: AlertsConfig, ctx: AlertContext) {
  const { objective, period } = alerts.slo;
  const factor = `${num(burnFactor(window, period))}×`;
  const exhaustion = formatDuration(durationSeconds(window.long) / window.budgetShare);
  const w = (d: Duration, language: "id" | "en") => durationWords(d, language);
  const page = window.severity === "critical";
  return alertRule(
    {
      name: "VoteErrorBudgetBurn",
      severity: window.severity,
      service: "vote",
      dashboard: "userExperience",
      condition: burnCondition(window, alerts),
      labels: { slo: SLO_LABELS.slo, long_window: window.long, short_window: window.short },
      text: {
        id: {
          summary: page ? "Anggaran error SLO vote terbakar sangat cepat" : "Anggaran error SLO vote terbakar lebih cepat dari seharusnya",
          description: `Rasio error \`vote\` {{ $value | humanizePercentage }} selama ${w(window.long, "id")} terakhir (dan masih di atas batas dalam ${w(window.short, "id")} terakhir) membakar anggaran error SLO ${percent(objective)} ${factor} lebih cepat dari laju yang diizinkan; dengan laju ini anggaran ${w(period, "id")} habis dalam ${w(exhaustion, "id")}.`,
        },
        en: {
          summary: page ? "Vote SLO error budget burning very fast" : "Vote SLO error budget burning faster than sustainable",
          description: `The \`vote\` error ratio of {{ $value | humanizePercentage }} over the last ${w(window.long, "en")} (still above the limit over the last ${w(window.short, "en")}) burns the ${percent(objective)} SLO error budget ${factor} faster than sustainable; at this pace the ${w(period, "en")} budget is gone in ${w(exhaustion, "en")}.`,
        },
      },
    },
    ctx,
  );
}

/** The seed's alert, whose incident the burn pages must not page for a second time. */
const SEED_ALERT = "VoteHighErrorRate";
const BURN_INHIBITOR = "VoteErrorBudgetBurnInhibitor";

/**
 * Plumbing like InfoInhibitor, never routed to people: fires while the seed's alert is pending or
 * has fired within the longest short window of the page pairs. Alertmanager then holds back the
 * burn pages of that incident: while the seed is about to page (the burn's condition often holds
 * a few seconds before the seed's), while it pages, and after it resolved, as long as a page pair's
 * short window still holds the incident. A burn the seed never pages for is never held back.
 */
function burnInhibitor(windows: readonly BurnWindow[], ctx: AlertContext) {
  const pages = windows.filter((w) => w.severity === "critical");
  const longest = [...pages].sort((a, b) => durationSeconds(b.short) - durationSeconds(a.short))[0]?.short ?? ("30m" as Duration);
  const w = (language: "id" | "en") => durationWords(longest, language);
  return alertRule(
    {
      name: BURN_INHIBITOR,
      severity: "none",
      dashboard: "userExperience",
      serviceScoped: false,
      condition: { operand: pagedRecently(SEED_ALERT, longest) },
      text: {
        id: {
          summary: "Meredam halaman anggaran error selama insiden VoteHighErrorRate",
          description: `Alert ini menyala selama VoteHighErrorRate untuk service \`{{ $labels.service }}\` hampir menyala, menyala, atau menyala dalam ${w("id")} terakhir: halaman VoteErrorBudgetBurn insiden itu sudah diwakili pesan seed. Jangan dikirim ke manusia.`,
        },
        en: {
          summary: "Holds back error-budget pages during a VoteHighErrorRate incident",
          description: `Fires while VoteHighErrorRate of service \`{{ $labels.service }}\` is pending, firing, or fired within the last ${w("en")}: the VoteErrorBudgetBurn pages of that incident are the seed's page already. Never routed to people.`,
        },
      },
    },
    ctx,
  );
}

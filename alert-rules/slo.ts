import { durationWords, percent } from "./i18n";
import type { AlertsConfig } from "../config/schema";
import { num } from "../queries/promql";
import {
  BUDGET_REMAINING_RECORD,
  BURN_RATE_RECORD,
  BURN_WINDOWS,
  ERROR_BUDGET_RECORD,
  OBJECTIVE_RECORD,
  SLI_WINDOWS,
  SLO_LABELS,
  burnAlertExpression,
  burnFactor,
  currentBurnRate,
  periodErrorRatio,
  periodRecord,
  sliExpression,
  sliRecord,
} from "../queries/slo";
import { alertRule, type AlertContext } from "./build";
import type { RuleFile } from "./types";

/**
 * The vote availability SLO (objective from config, 99.9% by default): SLI recording rules per
 * window, budget bookkeeping for dashboards, and the multi-window multi-burn-rate alerts.
 */
export function sloRules(alerts: AlertsConfig, ctx: AlertContext): RuleFile {
  const { objective, period } = alerts.slo;
  const labels = { ...SLO_LABELS, service: "vote" };
  const factors = (severity: "critical" | "warning") =>
    BURN_WINDOWS.filter((w) => w.severity === severity)
      .map((w) => `${num(burnFactor(w, period))}×`)
      .join("/");
  const periodWords = { id: durationWords(period, "id"), en: durationWords(period, "en") };

  const burnAlert = (severity: "critical" | "warning") =>
    alertRule(
      {
        name: "VoteErrorBudgetBurn",
        severity,
        service: "vote",
        dashboard: "userExperience",
        expr: burnAlertExpression(severity, objective, period),
        for: severity === "critical" ? alerts.slo.pageFor : alerts.slo.ticketFor,
        labels: { slo: SLO_LABELS.slo },
        text: {
          id: {
            summary: severity === "critical" ? "Anggaran error SLO vote terbakar sangat cepat" : "Anggaran error SLO vote terbakar lebih cepat dari seharusnya",
            description: `Rasio error \`vote\` {{ $value | humanizePercentage }} membakar anggaran error SLO ${percent(objective)} dengan laju ${factors(severity)} dari laju yang diizinkan; ${severity === "critical" ? "anggaran" : "dengan laju ini anggaran"} ${periodWords.id} ${severity === "critical" ? "akan habis dalam hitungan jam sampai hari" : "habis sebelum periode berakhir"}.`,
          },
          en: {
            summary: severity === "critical" ? "Vote SLO error budget burning very fast" : "Vote SLO error budget burning faster than sustainable",
            description: `The \`vote\` error ratio of {{ $value | humanizePercentage }} burns the ${percent(objective)} SLO error budget at ${factors(severity)} the sustainable rate; ${severity === "critical" ? `the ${periodWords.en} budget will be gone within hours to days` : `at this pace the ${periodWords.en} budget runs out before the period ends`}.`,
          },
        },
      },
      ctx,
    );

  return {
    name: "slo",
    groups: [
      {
        name: "voteobs.slo.sli",
        rules: SLI_WINDOWS.map((window) => ({ record: sliRecord(window), expr: sliExpression(window), labels })),
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
      { name: "voteobs.slo.alerts", rules: [burnAlert("critical"), burnAlert("warning")] },
    ],
  };
}

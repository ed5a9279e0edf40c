import { durationSeconds, formatDuration, type Duration } from "../config/duration";
import { errorRatioOrAbsent } from "./http";
import { num } from "./promql";

/**
 * The vote availability SLO as sloth and the Google SRE workbook define it: an error-ratio SLI
 * recorded per window, and multi-window multi-burn-rate alerts whose factors follow from the
 * budget period (14.4, 6, 3, 1 for 30 days).
 */

export const SLO_NAME = "vote-availability";
export const SLO_LABELS = { slo: SLO_NAME } as const;

export const sliRecord = (window: string) => `slo:sli_error:ratio_rate${window}`;
export const OBJECTIVE_RECORD = "slo:objective:ratio";
export const ERROR_BUDGET_RECORD = "slo:error_budget:ratio";
export const BUDGET_REMAINING_RECORD = "slo:period_error_budget_remaining:ratio";
export const BURN_RATE_RECORD = "slo:current_burn_rate:ratio";

export interface BurnWindow {
  long: Duration;
  short: Duration;
  /** Share of the whole period's budget this window may consume before it alerts. */
  budgetShare: number;
  severity: "critical" | "warning";
}

/** Google SRE workbook, table 5-8 with its two ticket rows. */
export const BURN_WINDOWS: readonly BurnWindow[] = [
  { long: "1h" as Duration, short: "5m" as Duration, budgetShare: 0.02, severity: "critical" },
  { long: "6h" as Duration, short: "30m" as Duration, budgetShare: 0.05, severity: "critical" },
  { long: "1d" as Duration, short: "2h" as Duration, budgetShare: 0.1, severity: "warning" },
  { long: "3d" as Duration, short: "6h" as Duration, budgetShare: 0.1, severity: "warning" },
];

/** Every window the SLI is recorded at. */
export const SLI_WINDOWS: readonly string[] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/** Burn-rate factor of a window for a budget period: 2% of 30d in 1h → 14.4. */
export function burnFactor(window: BurnWindow, period: Duration): number {
  return Number(((window.budgetShare * durationSeconds(period)) / durationSeconds(window.long)).toPrecision(12));
}

export function sliExpression(window: string): string {
  return errorRatioOrAbsent("vote", window);
}

/** Error ratio over the whole period, averaged from the 5m SLI (as sloth does). */
export function periodErrorRatio(period: Duration): string {
  const sli = `${sliRecord("5m")}{slo="${SLO_NAME}"}`;
  return `avg_over_time(${sli}[${formatDuration(durationSeconds(period))}])`;
}

export function periodRecord(period: Duration): string {
  return sliRecord(formatDuration(durationSeconds(period)));
}

/** Both windows of one burn-rate pair above `factor` times the budget. */
export function burnCondition(window: BurnWindow, objective: number, period: Duration): string {
  const threshold = num(burnFactor(window, period) * (1 - objective));
  const sel = (w: string) => `${sliRecord(w)}{slo="${SLO_NAME}"}`;
  return `(${sel(window.long)} > ${threshold}\nand\n${sel(window.short)} > ${threshold})`;
}

/** Burn-rate alert expression of one severity: any of its window pairs burning. */
export function burnAlertExpression(severity: BurnWindow["severity"], objective: number, period: Duration): string {
  return BURN_WINDOWS.filter((w) => w.severity === severity)
    .map((w) => burnCondition(w, objective, period))
    .join("\nor\n");
}

/** Current burn rate (1 = exactly on budget), from the 1h SLI. */
export function currentBurnRate(): string {
  return `${sliRecord("1h")}{slo="${SLO_NAME}"} / on (slo) group_left ${ERROR_BUDGET_RECORD}{slo="${SLO_NAME}"}`;
}

/** Share of the period's error budget still left (1 = untouched, 0 = spent, < 0 = overspent). */
export function budgetRemaining(): string {
  return `${BUDGET_REMAINING_RECORD}{slo="${SLO_NAME}"}`;
}

/** Burn rate over one SLI window: its error ratio divided by the error budget (1 = exactly on budget). */
export function burnRate(window: string): string {
  return `${sliRecord(window)}{slo="${SLO_NAME}"} / on (slo) group_left ${ERROR_BUDGET_RECORD}{slo="${SLO_NAME}"}`;
}

/** Error ratio over the whole budget period, as recorded. */
export function periodSli(period: Duration): string {
  return `${periodRecord(period)}{slo="${SLO_NAME}"}`;
}

/** Windows the burn-rate alerts look at, shortest first (each pair's long and short window). */
export function burnRateWindows(): Duration[] {
  const windows = new Set<Duration>(BURN_WINDOWS.flatMap((w) => [w.long, w.short]));
  return [...windows].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}

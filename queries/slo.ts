import { durationSeconds, formatDuration, type Duration } from "../config/duration";
import { errorRatioOrAbsent } from "./http";

/**
 * The vote availability SLO as sloth and the Google SRE workbook define it: an error-ratio SLI
 * recorded per window, and multi-window multi-burn-rate alerts whose factors follow from the
 * budget period (14.4, 6, 3, 1 for 30 days).
 */

const SLO_NAME = "vote-availability";
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

/**
 * Every window the SLI is recorded at, derived from the burn-window table (as sloth does): each
 * pair's long and short window, shortest first. Adding a pair to the table adds its recording
 * rules; none can be forgotten.
 */
export function sliWindows(windows: readonly BurnWindow[] = BURN_WINDOWS): Duration[] {
  const unique = new Map<number, Duration>();
  for (const w of windows) for (const d of [w.long, w.short]) if (!unique.has(durationSeconds(d))) unique.set(durationSeconds(d), d);
  return [...unique.entries()].sort(([a], [b]) => a - b).map(([, d]) => d);
}

export const SLI_WINDOWS: readonly Duration[] = sliWindows();

/** The fastest page's pair: its short window feeds the period average, its long one the current burn rate. */
const FASTEST = [...BURN_WINDOWS].sort((a, b) => durationSeconds(a.short) - durationSeconds(b.short))[0];

/** Burn-rate factor of a window for a budget period: 2% of 30d in 1h → 14.4. */
export function burnFactor(window: BurnWindow, period: Duration): number {
  return Number(((window.budgetShare * durationSeconds(period)) / durationSeconds(window.long)).toPrecision(12));
}

export function sliExpression(window: string): string {
  return errorRatioOrAbsent("vote", window);
}

/** Error ratio over the whole period, averaged from the shortest SLI window (as sloth does with 5m). */
export function periodErrorRatio(period: Duration): string {
  const sli = `${sliRecord(FASTEST.short)}{slo="${SLO_NAME}"}`;
  return `avg_over_time(${sli}[${formatDuration(durationSeconds(period))}])`;
}

export function periodRecord(period: Duration): string {
  return sliRecord(formatDuration(durationSeconds(period)));
}

/**
 * 1 while `alertname` is pending (about to page) or fired within the last `window`, per service:
 * an incident that alert pages for is still in every burn-rate window shorter than `window`.
 */
export function pagedRecently(alertname: string, window: Duration): string {
  const alerts = (state: string) => `ALERTS{alertname="${alertname}",alertstate="${state}"}`;
  return `max by (service) (\n  max_over_time(${alerts("firing")}[${window}])\n  or\n  ${alerts("pending")}\n)`;
}

/** The recorded SLI over one window: the operand of a burn-rate pair. */
export function sli(window: string): string {
  return `${sliRecord(window)}{slo="${SLO_NAME}"}`;
}

/** The error ratio above which a pair burns: its factor times the error budget. */
export function burnThreshold(window: BurnWindow, objective: number, period: Duration): number {
  return Number((burnFactor(window, period) * (1 - objective)).toPrecision(12));
}

/** Current burn rate (1 = exactly on budget), from the fastest page's long window. */
export function currentBurnRate(): string {
  return `${sliRecord(FASTEST.long)}{slo="${SLO_NAME}"} / on (slo) group_left ${ERROR_BUDGET_RECORD}{slo="${SLO_NAME}"}`;
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

import { durationSeconds, type Duration } from "../config/duration";

/** How a ratio from config is printed, the same in alert texts and panel descriptions. */
export { percent } from "../alert-rules/i18n";

/** A config duration in seconds, the unit Grafana's "s" panels use. */
export function seconds(duration: Duration): number {
  return durationSeconds(duration);
}

/** Error budget of an objective (0.999 → 0.001), without float noise (1 - 0.999 is 0.0010000000000000009). */
export function errorBudget(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}

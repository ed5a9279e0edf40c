import { durationSeconds, type Duration } from "../config/duration";
import { num } from "../queries/promql";

/** 0.05 → "5%", 0.001 → "0.1%": how descriptions print a ratio from config. */
export function percent(ratio: number): string {
  return `${num(ratio * 100)}%`;
}

/** A config duration in seconds, the unit Grafana's "s" panels use. */
export function seconds(duration: Duration): number {
  return durationSeconds(duration);
}

/** Error budget of an objective (0.999 → 0.001), without float noise (1 - 0.999 is 0.0010000000000000009). */
export function errorBudget(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}

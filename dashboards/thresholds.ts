import { ThresholdsConfigBuilder, ThresholdsMode, type Threshold } from "@grafana/grafana-foundation-sdk/dashboard";
import type { Severity } from "../config/components";

/** Colour of a state: an alert's severity, or healthy. */
export const COLORS = { ok: "green", warning: "orange", critical: "red", info: "blue" } as const;

export function severityColor(severity: Severity): string {
  return COLORS[severity];
}

/**
 * When an alert fires, as a panel can show it: `operand op threshold`. Grafana colours a value by
 * the highest step it reaches (value >= step), so each comparison maps to steps that agree with it.
 */
export interface AlertCondition {
  /** Alert whose threshold this is (for descriptions and tests). */
  alert: string;
  severity: Severity;
  op: ">" | ">=" | "== 0";
  /** The number after the operator (0 for "== 0"). */
  threshold: number;
  /** The value shown is a whole number, so "> 100" starts at 101. */
  integer?: boolean;
}

/** Steps that turn the severity's colour exactly where the condition holds. */
export function stepsFor(condition: AlertCondition): Threshold[] {
  const alarm = severityColor(condition.severity);
  switch (condition.op) {
    case ">":
      return [
        { value: null, color: COLORS.ok },
        { value: condition.integer ? Math.floor(condition.threshold) + 1 : condition.threshold, color: alarm },
      ];
    case ">=":
      return [
        { value: null, color: COLORS.ok },
        { value: condition.threshold, color: alarm },
      ];
    case "== 0":
      // A 0/1 signal: below 1 is the alert's state.
      return [
        { value: null, color: alarm },
        { value: 1, color: COLORS.ok },
      ];
  }
}

/** Steps from a base colour and ascending [value, colour] pairs. */
export function steps(base: string, ...levels: Array<[number, string]>): Threshold[] {
  return [{ value: null, color: base }, ...levels.map(([value, color]) => ({ value, color }))];
}

export function thresholds(list: Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

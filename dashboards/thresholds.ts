import { ThresholdsConfigBuilder, ThresholdsMode, type Threshold } from "@grafana/grafana-foundation-sdk/dashboard";
import { compared, type AlertRule } from "../alert-rules";
import type { Severity } from "../config/components";

/** Colour of a state: an alert's severity, or healthy. */
export const COLORS = { ok: "green", warning: "orange", critical: "red", info: "blue" } as const;

function severityColor(severity: Severity): string {
  return COLORS[severity];
}

/**
 * Steps that turn the alert's severity colour exactly where its condition's comparison holds.
 * Grafana colours a value by the highest step it reaches (value >= step), so each comparison maps
 * to steps that agree with it; a whole-number operand's `> 100` starts at 101.
 */
export function stepsFor(alert: AlertRule): Threshold[] {
  const condition = alert.condition;
  if (!compared(condition)) throw new Error(`${alert.alert} compares nothing: no colour steps`);
  const alarm = severityColor(alert.labels.severity as Severity);
  const { comparison, threshold } = condition;
  switch (comparison) {
    case ">":
      return [
        { value: null, color: COLORS.ok },
        { value: condition.integer ? Math.floor(threshold) + 1 : threshold, color: alarm },
      ];
    case ">=":
      return [
        { value: null, color: COLORS.ok },
        { value: threshold, color: alarm },
      ];
    case "==":
      // A 0/1 signal whose 0 is the alert's state: below 1 is alarm.
      if (threshold === 0) {
        return [
          { value: null, color: alarm },
          { value: 1, color: COLORS.ok },
        ];
      }
      break;
    case "<":
      return [
        { value: null, color: alarm },
        { value: threshold, color: COLORS.ok },
      ];
  }
  throw new Error(`${alert.alert}: no colour steps for "${comparison} ${threshold}"`);
}

/** Steps from a base colour and ascending [value, colour] pairs. */
export function steps(base: string, ...levels: Array<[number, string]>): Threshold[] {
  return [{ value: null, color: base }, ...levels.map(([value, color]) => ({ value, color }))];
}

export function thresholds(list: Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

import type { Duration } from "../config/duration";
import type { AlertCondition } from "./condition";

export type Language = "id" | "en";
export type AlertSeverity = "critical" | "warning" | "info" | "none";

/** Text of an alert in one language. */
export interface AlertText {
  /** One line; the Slack title. */
  summary: string;
  /** Prose with the live value ({{ $value }}) and the labels that locate the problem. */
  description: string;
}

export interface AlertRule {
  alert: string;
  /** Rendered from `condition`. */
  expr: string;
  /** Omitted only for Watchdog-style alerts that must fire at once. */
  for?: Duration;
  labels: Record<string, string> & { severity: AlertSeverity };
  annotations: Record<string, string>;
  /** The condition `expr` and `for` are rendered from, for dashboards and the status command. */
  condition: AlertCondition;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  name: string;
  /** Evaluation interval of the group; defaults to the global one. */
  interval?: Duration;
  rules: Rule[];
}

/** One file under prometheus/rules/. */
export interface RuleFile {
  /** File name without extension, e.g. "user-experience". */
  name: string;
  groups: RuleGroup[];
}

export const isAlert = (rule: Rule): rule is AlertRule => "alert" in rule;

import type { Duration } from "../config/duration";
import { num } from "../queries/promql";

/** The comparisons an alert may make. */
export type Comparison = ">" | ">=" | "<" | "<=" | "==" | "!=";

/**
 * When an alert fires, as data: `operand comparison threshold`, narrowed or widened by clauses,
 * held for `for`. The rule's expression, the dashboard light and the status command are all
 * built from it, so none of them can say something else than the alert.
 */
export interface AlertCondition {
  /** The query whose value is compared (a shared query of queries/): the alert's `$value`. */
  operand: string;
  /** Omitted for an alert that fires whenever its operand has a series (Watchdog). */
  comparison?: Comparison;
  /** The number after the comparison. */
  threshold?: number;
  /** The operand only takes whole values (a count), so `> 100` first holds at 101. */
  integer?: boolean;
  /** Further clauses, in order: `and` narrows, `unless` excludes, `or` widens. */
  clauses?: readonly Clause[];
  /** How long the condition must hold before the alert fires; omitted: at once. */
  for?: Duration;
}

export interface Clause {
  op: "and" | "or" | "unless";
  /** Labels the two sides are matched on (`on (...)`); omitted: all labels. */
  on?: readonly string[];
  /** A condition of its own, or a plain expression (`absent(...)`). */
  condition: AlertCondition | string;
}

/** A condition that compares its operand (everything but Watchdog-style alerts). */
export type Compared = AlertCondition & { comparison: Comparison; threshold: number };

export function compared(condition: AlertCondition): condition is Compared {
  return condition.comparison !== undefined && condition.threshold !== undefined;
}

/** The PromQL of a condition: the comparison (on its own line after a long operand), then each clause. */
export function conditionExpr(condition: AlertCondition): string {
  const { operand, comparison, threshold } = condition;
  const ownLine = operand.includes("\n") || operand.length > 100;
  const head = comparison === undefined ? operand : `${operand}${ownLine ? "\n" : " "}${comparison} ${num(threshold ?? 0)}`;
  const clauses = (condition.clauses ?? []).map((clause) => `${clause.op}${clause.on ? ` on (${clause.on.join(", ")})` : ""}\n${clauseExpr(clause.condition)}`);
  return [head, ...clauses].join("\n");
}

function clauseExpr(condition: AlertCondition | string): string {
  if (typeof condition === "string") return condition;
  const expr = conditionExpr(condition);
  if ((condition.clauses ?? []).length === 0) return expr;
  return `(\n${expr
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n")}\n)`;
}

/** Whether a value satisfies the comparison, as Prometheus would judge it. */
export function holds(condition: Compared, value: number): boolean {
  const t = condition.threshold;
  switch (condition.comparison) {
    case ">":
      return value > t;
    case ">=":
      return value >= t;
    case "<":
      return value < t;
    case "<=":
      return value <= t;
    case "==":
      return value === t;
    case "!=":
      return value !== t;
  }
}

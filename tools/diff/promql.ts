import { ARROW } from "./structure";

/** PromQL expressions compared by their numbers: "the threshold 0.05 became 0.07", not a rewritten line. */

const VALUE = /(?<![A-Za-z_0-9.:])(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*)?)(?![A-Za-z_0-9.])/g;

interface ValueToken {
  value: string;
  role: "threshold" | "window" | "value";
}

function valueTokens(expr: string): { skeleton: string; values: ValueToken[] } {
  const values: ValueToken[] = [];
  const skeleton = expr.replace(VALUE, (match, _value, offset: number) => {
    const before = expr.slice(0, offset).trimEnd();
    const role = /(>=|<=|==|!=|>|<)(\s*bool)?$/.test(before) ? "threshold" : /\[$/.test(before) || /offset$/.test(before) ? "window" : "value";
    values.push({ value: match, role });
    return "\u0000";
  });
  return { skeleton, values };
}

/** "threshold 0.05 → 0.07" when only numbers and durations changed; undefined otherwise. */
export function exprValueChanges(before: string, after: string): string[] | undefined {
  const a = valueTokens(before);
  const b = valueTokens(after);
  if (a.skeleton.replace(/\s+/g, " ") !== b.skeleton.replace(/\s+/g, " ") || a.values.length !== b.values.length) return undefined;
  const changes: string[] = [];
  a.values.forEach((token, i) => {
    const now = b.values[i].value;
    const line = `${token.role} ${token.value} ${ARROW} ${now}`;
    if (token.value !== now && !changes.includes(line)) changes.push(line);
  });
  return changes;
}

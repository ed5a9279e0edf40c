/**
 * Small PromQL builders. They only assemble text, so a query reads the same in a rule, a
 * dashboard and `npm run status`; formatting is stable so `generated/` diffs stay small.
 */

export type Matchers = Record<string, string>;

/** `{a="x", b=~"y"}`: a value starting with "~" or "!~" or "!" becomes a regex or negated matcher. */
export function matchers(m: Matchers): string {
  const parts = Object.entries(m).map(([label, value]) => {
    if (value.startsWith("!~")) return `${label}!~${quote(value.slice(2))}`;
    if (value.startsWith("~")) return `${label}=~${quote(value.slice(1))}`;
    if (value.startsWith("!")) return `${label}!=${quote(value.slice(1))}`;
    return `${label}=${quote(value)}`;
  });
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

export function selector(metric: string, m: Matchers = {}): string {
  return `${metric}${matchers(m)}`;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

export function by(labels: readonly string[]): string {
  return labels.length === 0 ? "" : ` by (${labels.join(", ")})`;
}

export function sumRate(metric: string, m: Matchers, window: string, labels: readonly string[] = []): string {
  return `sum${by(labels)} (rate(${selector(metric, m)}[${window}]))`;
}

/** A number as PromQL prints well: no float noise (0.1 * 3 → 0.3), no exponent for small ratios. */
export function num(value: number): string {
  const clean = Number(value.toPrecision(12));
  const text = String(clean);
  return text.includes("e") ? clean.toFixed(12).replace(/0+$/, "") : text;
}

/** A regex matching exactly the given names. */
export function oneOf(names: readonly string[]): string {
  return names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

/**
 * The first expression that has a series for each label set (`a or b or c`), in parentheses so
 * a comparison or division after it applies to the whole chain, not only to its last term.
 */
export function firstOf(...expressions: string[]): string {
  return `(\n${expressions.join("\nor\n")}\n)`;
}

/**
 * The series of `expr` whose `service` label is `service`: an expression cannot take a label
 * matcher, so it is matched `on (service)` against a one-series vector carrying that label.
 */
export function ofService(expr: string, service: string): string {
  return `(\n${expr}\n)\nand on (service)\nlabel_replace(vector(1), "service", ${JSON.stringify(service)}, "", "")`;
}

import { parser } from "@prometheus-io/lezer-promql";
import { METRIC_SOURCES } from "../../../queries/metrics";
import type { Monitoring } from "./prometheus";

/** One label matcher of a vector selector, as written. */
interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface Selector {
  text: string;
  metric?: string;
  matchers: Matcher[];
}

/** Every vector selector of a PromQL expression (metric name and matchers), found with Prometheus' own grammar. */
export function vectorSelectors(expr: string): Selector[] {
  const selectors: Selector[] = [];
  const tree = parser.parse(expr);
  const text = (from: number, to: number) => expr.slice(from, to);
  tree.iterate({
    enter(node) {
      if (node.name !== "VectorSelector") return;
      const selector: Selector = { text: text(node.from, node.to), matchers: [] };
      const cursor = node.node.cursor();
      cursor.firstChild();
      do {
        if (cursor.name === "Identifier") selector.metric = text(cursor.from, cursor.to);
        if (cursor.name === "LabelMatchers") {
          const inner = cursor.node.getChildren("UnquotedLabelMatcher");
          for (const m of inner) {
            const label = m.getChild("LabelName");
            const op = m.getChild("MatchOp");
            const value = m.getChild("StringLiteral");
            if (label && op && value) selector.matchers.push({ label: text(label.from, label.to), op: text(op.from, op.to) as Matcher["op"], value: JSON.parse(text(value.from, value.to)) as string });
          }
        }
      } while (cursor.nextSibling());
      selectors.push(selector);
      return false;
    },
  });
  return selectors;
}

/** True when the expression has a syntax error in Prometheus' grammar. */
export function hasSyntaxError(expr: string): boolean {
  let error = false;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) error = true;
    },
  });
  return error;
}

/**
 * Whether a selector can only match series of components the local target does not run: a metric
 * only they export (cAdvisor, Loki), or a `service`/`job` matcher naming one of them.
 */
export function onlyOfAbsent(selector: Selector, absentComponents: readonly string[]): boolean {
  const names = selector.metric !== undefined ? [selector.metric] : [];
  if (names.length > 0) {
    const sources = Object.entries(METRIC_SOURCES).filter(([, list]) => (list as readonly string[]).includes(names[0])).map(([source]) => source);
    if (sources.length > 0 && sources.every((s) => absentComponents.includes(s))) return true;
  }
  return selector.matchers.some((m) => (m.label === "service" || m.label === "job") && m.op === "=" && absentComponents.includes(m.value));
}

/**
 * Checks that every selector of `expr` names something that exists: the metric has series, and
 * each of its equality and regex matchers, taken alone with the metric, matches some series over
 * `lookback` (so a label name or value typo fails even when the whole selector is legitimately
 * empty now, e.g. 5xx of a service that never failed). Negative matchers cannot be wrong that way.
 * Selectors of components not run here are not probed. Returns the selectors that match nothing.
 */
export async function unmatchedSelectors(monitoring: Monitoring, expr: string, lookback: string, absentComponents: readonly string[], cache: Map<string, boolean>): Promise<string[]> {
  const problems: string[] = [];
  for (const selector of vectorSelectors(expr)) {
    if (onlyOfAbsent(selector, absentComponents)) continue;
    const name: Matcher[] = selector.metric ? [{ label: "__name__", op: "=", value: selector.metric }] : selector.matchers.filter((m) => m.label === "__name__");
    const positives = selector.matchers.filter((m) => m.label !== "__name__" && (m.op === "=" || m.op === "=~"));
    const probes = positives.length === 0 ? [name] : positives.map((m) => [...name, m]);
    for (const probe of probes) {
      const text = `{${probe.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(", ")}}`;
      if (!cache.has(text)) cache.set(text, (await monitoring.query(`count(last_over_time(${text}[${lookback}]))`)).length > 0);
      if (!cache.get(text)) problems.push(`${selector.text}: nothing matches ${text}`);
    }
  }
  return problems;
}

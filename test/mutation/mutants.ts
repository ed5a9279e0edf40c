import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { parse, stringify } from "yaml";
import { durationSeconds, formatDuration, parseDurationSeconds, type Duration } from "../../config/duration";

/**
 * Mutants of the alerts of one rendered rule file: each is the file with one alert changed in one
 * way a wrong rule could be wrong. The expression is changed through Prometheus' own grammar
 * (lezer-promql), at the exact place of the number, operator, clause or window.
 */

export type MutantKind = "threshold" | "comparison" | "for" | "severity" | "clause" | "window";

export interface Mutant {
  /** Stable and readable: `<file>/<alert>/<kind>: <what changed>`; the equivalent-mutant list names these. */
  id: string;
  file: string;
  alert: string;
  kind: MutantKind;
  /** The rule file with this one change. */
  text: string;
}

interface RuleDoc {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
interface RuleFileDoc {
  groups: Array<{ name: string; rules: RuleDoc[] }>;
}

/** One change of an alert rule: what it says, and the rule after it. */
interface Change {
  kind: MutantKind;
  what: string;
  apply: (rule: RuleDoc) => void;
}

const COMPARISONS: Record<string, string> = { Gtr: ">", Gte: ">=", Lss: "<", Lte: "<=", Eql: "==", Neq: "!=" };
const FLIPPED: Record<string, string> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "!=", "!=": "==" };
const SET_OPERATORS: Record<string, "and" | "or" | "unless"> = { And: "and", Or: "or", Unless: "unless" };
const SEVERITY_SWAP: Record<string, string> = { critical: "warning", warning: "critical", info: "warning", none: "info" };
/** Recorded SLI series: `…ratio_rate<window>`; their window is part of the name. */
const RECORDED_WINDOW = /^(.*ratio_rate)(\d+(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*)$/;

/** A number as PromQL takes it, without float noise. */
function number(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** The operator child of a binary expression, and its two operands. */
function binaryParts(node: SyntaxNode): { op: SyntaxNode; left: SyntaxNode; right: SyntaxNode } | undefined {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  const opIndex = children.findIndex((c) => c.name in COMPARISONS || c.name in SET_OPERATORS || ["Add", "Sub", "Mul", "Div", "Mod", "Pow", "Atan2"].includes(c.name));
  if (opIndex < 0) return undefined;
  const operands = children.filter((c, i) => i !== opIndex && !["MatchingModifierClause", "BoolModifier", "Bool"].includes(c.name));
  if (operands.length !== 2) return undefined;
  return { op: children[opIndex], left: operands[0], right: operands[1] };
}

const replaceAt = (text: string, from: number, to: number, by: string) => `${text.slice(0, from)}${by}${text.slice(to)}`;

/** Every change of one expression (threshold, comparison, clause, window), each as a new expression. */
export function expressionChanges(expr: string, recordedWindows: readonly Duration[] = []): Array<{ kind: MutantKind; what: string; expr: string }> {
  const out: Array<{ kind: MutantKind; what: string; expr: string }> = [];
  const tree = parser.parse(expr);
  let errors = 0;
  tree.iterate({ enter: (n) => void (n.type.isError && errors++) });
  if (errors > 0) throw new Error(`does not parse: ${expr}`);
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const counts = new Map<string, number>();
  const nth = (key: string) => {
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n > 1 ? ` #${n}` : "";
  };

  tree.iterate({
    enter: (ref) => {
      const node = ref.node;
      if (node.name === "BinaryExpr") {
        const parts = binaryParts(node);
        if (!parts) return;
        const comparison = COMPARISONS[parts.op.name];
        if (comparison) {
          const at = nth(`cmp ${comparison}`);
          out.push({ kind: "comparison", what: `${comparison}${at} flipped to ${FLIPPED[comparison]}`, expr: replaceAt(expr, parts.op.from, parts.op.to, FLIPPED[comparison]) });
          for (const side of [parts.left, parts.right]) {
            if (side.name !== "NumberDurationLiteral") continue;
            const value = Number(text(side));
            if (!Number.isFinite(value) || value === 0) continue;
            for (const [label, factor] of [
              ["halved", 0.5],
              ["doubled", 2],
            ] as const) {
              out.push({ kind: "threshold", what: `${comparison} ${text(side)}${at} ${label} (${number(value * factor)})`, expr: replaceAt(expr, side.from, side.to, number(value * factor)) });
            }
          }
        }
        const setOp = SET_OPERATORS[parts.op.name];
        if (setOp) {
          const at = nth(`set ${setOp}`);
          out.push({ kind: "clause", what: `${setOp}${at}: right side dropped`, expr: replaceAt(expr, node.from, node.to, `(${text(parts.left)})`) });
          if (setOp !== "unless") out.push({ kind: "clause", what: `${setOp}${at}: left side dropped`, expr: replaceAt(expr, node.from, node.to, `(${text(parts.right)})`) });
        }
      }
      if (node.name === "MatrixSelector" || node.name === "SubqueryExpr") {
        const range = node.getChild("DurationExpr");
        const seconds = range ? parseDurationSeconds(text(range)) : undefined;
        if (!range || seconds === undefined) return;
        const at = nth(`window ${text(range)}`);
        for (const [label, factor] of [
          ["halved", 0.5],
          ["doubled", 2],
        ] as const) {
          out.push({ kind: "window", what: `[${text(range)}]${at} ${label} ([${formatDuration(seconds * factor)}])`, expr: replaceAt(expr, range.from, range.to, formatDuration(seconds * factor)) });
        }
      }
      if (node.name === "VectorSelector") {
        const identifier = node.getChild("Identifier");
        const match = identifier ? RECORDED_WINDOW.exec(text(identifier)) : null;
        if (!identifier || !match) return;
        const windows = [...recordedWindows].sort((a, b) => durationSeconds(a) - durationSeconds(b));
        const index = windows.findIndex((w) => durationSeconds(w) === parseDurationSeconds(match[2]));
        const at = nth(`record ${match[2]}`);
        for (const [label, other] of [
          ["shorter", windows[index - 1]],
          ["longer", windows[index + 1]],
        ] as const) {
          if (index < 0 || other === undefined) continue;
          out.push({ kind: "window", what: `${text(identifier)}${at} → the ${label} recorded window ${other}`, expr: replaceAt(expr, identifier.from, identifier.to, `${match[1]}${other}`) });
        }
      }
    },
  });
  return out;
}

/** The labels that tell apart rules of the same name in one file (VoteErrorBudgetBurn's pairs). */
function ruleKey(rule: RuleDoc, all: RuleDoc[]): string {
  const same = all.filter((r) => r.alert === rule.alert);
  if (same.length === 1) return rule.alert!;
  const keys = [...new Set(same.flatMap((r) => Object.keys(r.labels ?? {})))].filter((k) => new Set(same.map((r) => r.labels?.[k])).size > 1).sort();
  return `${rule.alert}{${keys.map((k) => `${k}=${rule.labels?.[k] ?? ""}`).join(",")}}`;
}

/** Every mutant of every alert of one rendered rule file (`name` without extension). */
export function mutantsOf(name: string, fileText: string): Mutant[] {
  const doc = parse(fileText) as RuleFileDoc;
  const rules = doc.groups.flatMap((g) => g.rules);
  const recordedWindows = rules.flatMap((r) => {
    const m = r.record ? RECORDED_WINDOW.exec(r.record) : null;
    return m ? [m[2] as Duration] : [];
  });
  const mutants: Mutant[] = [];
  doc.groups.forEach((group, g) =>
    group.rules.forEach((rule, r) => {
      if (rule.alert === undefined) return;
      const changes: Change[] = expressionChanges(rule.expr, recordedWindows).map((c) => ({ kind: c.kind, what: c.what, apply: (x) => void (x.expr = c.expr) }));
      if (rule.for !== undefined) {
        const seconds = durationSeconds(rule.for as Duration);
        changes.push({ kind: "for", what: `for ${rule.for} set to zero`, apply: (x) => void delete x.for });
        changes.push({ kind: "for", what: `for ${rule.for} doubled (${formatDuration(seconds * 2)})`, apply: (x) => void (x.for = formatDuration(seconds * 2)) });
      }
      const severity = rule.labels?.severity;
      if (severity !== undefined && SEVERITY_SWAP[severity]) {
        changes.push({ kind: "severity", what: `severity ${severity} swapped to ${SEVERITY_SWAP[severity]}`, apply: (x) => void (x.labels = { ...x.labels, severity: SEVERITY_SWAP[severity] }) });
      }
      const key = ruleKey(rule, rules);
      for (const change of changes) {
        const copy = structuredClone(doc);
        change.apply(copy.groups[g].rules[r]);
        mutants.push({ id: `${name}/${key}/${change.kind}: ${change.what}`, file: name, alert: rule.alert, kind: change.kind, text: stringify(copy, { lineWidth: 0 }) });
      }
    }),
  );
  const ids = new Set<string>();
  for (const m of mutants) {
    if (ids.has(m.id)) throw new Error(`two mutants share the id ${m.id}`);
    ids.add(m.id);
  }
  return mutants;
}

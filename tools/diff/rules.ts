import { parse as parseYaml } from "yaml";
import type { RenderedFiles } from "../../render";
import type { Item, Section } from "./model";
import { exprValueChanges } from "./promql";
import { ARROW, fieldChanges } from "./structure";

/** Prometheus rule files compared rule by rule: which alert or recording rule changed, and how. */

interface Rule {
  kind: "alert" | "record";
  name: string;
  group: string;
  file: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function rulesOf(files: RenderedFiles): Rule[] {
  const rules: Rule[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (!path.startsWith("prometheus/rules/")) continue;
    const document = parseYaml(text) as { groups?: Array<{ name: string; rules: Array<Record<string, unknown>> }> } | null;
    for (const group of document?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        const isAlert = typeof rule.alert === "string";
        rules.push({
          kind: isAlert ? "alert" : "record",
          name: String(isAlert ? rule.alert : rule.record),
          group: group.name,
          file: path,
          expr: String(rule.expr ?? "").trim(),
          for: rule.for === undefined ? undefined : String(rule.for),
          labels: (rule.labels ?? {}) as Record<string, string>,
          annotations: (rule.annotations ?? {}) as Record<string, string>,
        });
      }
    }
  }
  return rules;
}

/**
 * Identity of a rule across the two sides: its name, plus the labels that tell apart rules of
 * the same name (VoteErrorBudgetBurn{severity="critical"}, the per-service limit records).
 */
function ruleKeys(all: Rule[]): (rule: Rule) => string {
  const byName = new Map<string, Rule[]>();
  for (const rule of all) byName.set(`${rule.kind}:${rule.name}`, [...(byName.get(`${rule.kind}:${rule.name}`) ?? []), rule]);
  const distinguishing = new Map<string, string[]>();
  for (const [name, rules] of byName) {
    const keys = [...new Set(rules.flatMap((r) => Object.keys(r.labels)))].filter((k) => new Set(rules.map((r) => r.labels[k])).size > 1).sort();
    distinguishing.set(name, keys);
  }
  return (rule) => {
    const keys = distinguishing.get(`${rule.kind}:${rule.name}`) ?? [];
    return keys.length === 0 ? rule.name : `${rule.name}{${keys.map((k) => `${k}=${JSON.stringify(rule.labels[k] ?? "")}`).join(",")}}`;
  };
}

export function diffRules(base: RenderedFiles, head: RenderedFiles): Section[] {
  const before = rulesOf(base);
  const after = rulesOf(head);
  const keyOf = ruleKeys([...before, ...after]);
  const sections: Section[] = [];
  for (const kind of ["alert", "record"] as const) {
    const a = new Map(before.filter((r) => r.kind === kind).map((r) => [keyOf(r), r]));
    const b = new Map(after.filter((r) => r.kind === kind).map((r) => [keyOf(r), r]));
    const items: Item[] = [];
    for (const key of [...new Set([...a.keys(), ...b.keys()])]) {
      const old = a.get(key);
      const now = b.get(key);
      const short = (rule: Rule) => rule.file.replace(/^prometheus\/rules\//, "");
      if (!old && now) {
        items.push({ kind: "added", subject: key, where: short(now), headline: now.for ? `for ${now.for}` : undefined, details: [], block: { after: now.expr } });
      } else if (old && !now) {
        items.push({ kind: "removed", subject: key, where: short(old), details: [] });
      } else if (old && now) {
        const details: string[] = [];
        let headline: string | undefined;
        let block: Item["block"];
        if (old.expr !== now.expr) {
          const values = exprValueChanges(old.expr, now.expr);
          if (values && values.length > 0) headline = values.join("; ");
          else block = { before: old.expr, after: now.expr };
        }
        if (old.for !== now.for) details.push(`for: ${old.for ?? "none"} ${ARROW} ${now.for ?? "none"}`);
        if (old.file !== now.file || old.group !== now.group) details.push(`moved: ${short(old)} (${old.group}) ${ARROW} ${short(now)} (${now.group})`);
        details.push(...fieldChanges(old.labels, now.labels, "labels"), ...fieldChanges(old.annotations, now.annotations, "annotations"));
        if (headline === undefined && details.length > 0 && block === undefined && old.for !== now.for) headline = details.shift();
        if (headline !== undefined || details.length > 0 || block) items.push({ kind: "changed", subject: key, where: short(now), headline, details, block });
      }
    }
    if (items.length > 0) sections.push({ title: kind === "alert" ? "Alerts" : "Recording rules", items });
  }
  return sections;
}

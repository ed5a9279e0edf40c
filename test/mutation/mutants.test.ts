import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ROOT } from "../support/render";
import { expressionChanges, mutantsOf } from "./mutants";

const RULE_FILE = `groups:
  - name: g
    rules:
      - record: slo:sli_error:ratio_rate5m
        expr: vector(1)
      - record: slo:sli_error:ratio_rate1h
        expr: vector(1)
      - record: slo:sli_error:ratio_rate6h
        expr: vector(1)
      - alert: Pair
        expr: slo:sli_error:ratio_rate1h > 0.0144 and slo:sli_error:ratio_rate5m > 0.0144
        for: 2m
        labels: { severity: critical, window: fast }
      - alert: Pair
        expr: slo:sli_error:ratio_rate6h > 0.006
        labels: { severity: warning, window: slow }
      - alert: Stalled
        expr: max(q) > 0 and on () (sum(rate(p[2m])) == 0 or on () absent(p)) unless on () m
        for: 1m
        labels: { severity: critical }
`;

const exprOf = (text: string, alert: string, n = 0) => (parse(text).groups[0].rules.filter((r: { alert?: string }) => r.alert === alert)[n] as { expr: string }).expr;

describe("mutants of a rule file", () => {
  const mutants = mutantsOf("f", RULE_FILE);
  const byId = new Map(mutants.map((m) => [m.id, m]));
  const mutant = (id: string) => {
    const found = byId.get(id);
    assert.ok(found, `no mutant ${id}; there are:\n${[...byId.keys()].join("\n")}`);
    return found;
  };

  it("halves and doubles each threshold, and flips each comparison", () => {
    assert.equal(exprOf(mutant("f/Pair{severity=critical,window=fast}/threshold: > 0.0144 halved (0.0072)").text, "Pair"), "slo:sli_error:ratio_rate1h > 0.0072 and slo:sli_error:ratio_rate5m > 0.0144");
    assert.equal(exprOf(mutant("f/Pair{severity=critical,window=fast}/threshold: > 0.0144 #2 doubled (0.0288)").text, "Pair"), "slo:sli_error:ratio_rate1h > 0.0144 and slo:sli_error:ratio_rate5m > 0.0288");
    assert.equal(exprOf(mutant("f/Stalled/comparison: == flipped to !=").text, "Stalled"), "max(q) > 0 and on () (sum(rate(p[2m])) != 0 or on () absent(p)) unless on () m");
    assert.ok(!mutants.some((m) => /Stalled\/threshold: > 0 /.test(m.id)), "a zero threshold halved or doubled is the same rule: no mutant");
  });

  it("drops each side of and/or, and the clause of unless", () => {
    assert.equal(exprOf(mutant("f/Stalled/clause: or: right side dropped").text, "Stalled"), "max(q) > 0 and on () ((sum(rate(p[2m])) == 0)) unless on () m");
    assert.equal(exprOf(mutant("f/Stalled/clause: or: left side dropped").text, "Stalled"), "max(q) > 0 and on () ((absent(p))) unless on () m");
    assert.equal(exprOf(mutant("f/Stalled/clause: unless: right side dropped").text, "Stalled"), "(max(q) > 0 and on () (sum(rate(p[2m])) == 0 or on () absent(p)))");
    assert.ok(!byId.has("f/Stalled/clause: unless: left side dropped"));
  });

  it("halves and doubles each range window, and moves a recorded window to its neighbours", () => {
    assert.equal(exprOf(mutant("f/Stalled/window: [2m] halved ([1m])").text, "Stalled"), "max(q) > 0 and on () (sum(rate(p[1m])) == 0 or on () absent(p)) unless on () m");
    assert.ok(byId.has("f/Stalled/window: [2m] doubled ([4m])"));
    assert.equal(exprOf(mutant("f/Pair{severity=critical,window=fast}/window: slo:sli_error:ratio_rate1h → the longer recorded window 6h").text, "Pair"), "slo:sli_error:ratio_rate6h > 0.0144 and slo:sli_error:ratio_rate5m > 0.0144");
    assert.ok(byId.has("f/Pair{severity=critical,window=fast}/window: slo:sli_error:ratio_rate1h → the shorter recorded window 5m"));
    assert.ok(!byId.has("f/Pair{severity=critical,window=fast}/window: slo:sli_error:ratio_rate5m → the shorter recorded window"), "5m has no shorter neighbour");
  });

  it("zeroes and doubles `for`, and swaps the severity", () => {
    assert.equal(parse(mutant("f/Stalled/for: for 1m set to zero").text).groups[0].rules[5].for, undefined);
    assert.equal(parse(mutant("f/Stalled/for: for 1m doubled (2m)").text).groups[0].rules[5].for, "2m");
    assert.equal(parse(mutant("f/Pair{severity=warning,window=slow}/severity: severity warning swapped to critical").text).groups[0].rules[4].labels.severity, "critical");
    assert.ok(!mutants.some((m) => m.id.startsWith("f/Pair{severity=warning,window=slow}/for")), "no `for`, no `for` mutant");
  });

  it("changes one rule in one place: every other rule keeps its text", () => {
    const original = parse(RULE_FILE).groups[0].rules;
    for (const m of mutants) {
      const rules = parse(m.text).groups[0].rules as unknown[];
      const changed = rules.filter((rule, i) => JSON.stringify(rule) !== JSON.stringify(original[i]));
      assert.equal(changed.length, 1, m.id);
    }
  });

  it("every mutant of every rendered rule file parses, and every id is unique", () => {
    const files = ["user-experience", "slo", "internal-health", "infrastructure", "meta"];
    const all = files.flatMap((f) => mutantsOf(f, readFileSync(join(ROOT, "generated/dev/prometheus/rules", `${f}.yml`), "utf8")));
    assert.equal(new Set(all.map((m) => m.id)).size, all.length);
    for (const kind of ["threshold", "comparison", "for", "severity", "clause", "window"]) assert.ok(all.some((m) => m.kind === kind), kind);
    for (const m of all) for (const rule of parse(m.text).groups.flatMap((g: { rules: Array<{ expr: string }> }) => g.rules)) expressionChanges(rule.expr);
  });
});

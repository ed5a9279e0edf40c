import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parser } from "@prometheus-io/lezer-promql";
import { parse } from "yaml";
import { kubernetesTopology, renderAll } from "../../render";
import { renderedRules } from "../e2e/support/rules";
import { devConfig, renderDev } from "../support/render";

/**
 * What Prometheus 3 changed that a rule, a dashboard query or prometheus.yml written for 2.x can trip
 * on, item by item from docs/migration.md of github.com/prometheus/prometheus (read at v0.316.0, the
 * module of the pinned 3.16.0). promtool checks syntax and the tests check behaviour; these catch
 * what still parses but means something else now.
 */

const SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const seconds = (duration: string) => [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * SECONDS[unit], 0);

/** Grafana's variables, replaced by what they stand for at the smallest dashboard step. */
const withoutGrafanaVariables = (expr: string, scrapeSeconds: number) =>
  expr.replace(/\$__rate_interval|\$__auto|\$__interval|\$__range/g, `${4 * scrapeSeconds}s`).replace(/\$\{?\w+\}?/g, "x");

/** Problems of one PromQL expression under Prometheus 3, for a scrape interval in seconds. */
export function prometheus3Problems(expr: string, scrapeSeconds: number): string[] {
  const problems: string[] = [];
  if (/\bholt_winters\s*\(/.test(expr)) problems.push("holt_winters was renamed double_exponential_smoothing (and needs --enable-feature=promql-experimental-functions)");
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      const text = expr.slice(node.from, node.to);
      if (node.name === "UnquotedLabelMatcher") {
        const label = node.node.getChild("LabelName");
        const value = node.node.getChild("StringLiteral");
        const name = label ? expr.slice(label.from, label.to) : "";
        if ((name === "le" || name === "quantile") && value && /^"[+-]?\d+"$/.test(expr.slice(value.from, value.to)))
          problems.push(`${text}: Prometheus 3 stores ${name} as a float ("${JSON.parse(expr.slice(value.from, value.to))}.0"), so this matches nothing`);
      }
      if (node.name === "MatrixSelector" || node.name === "SubqueryExpr") {
        const durations = node.node.getChildren("DurationExpr").map((d) => seconds(expr.slice(d.from, d.to)));
        const [range, step] = durations;
        if (range !== undefined && range > 0 && range < 2 * scrapeSeconds)
          problems.push(`${text}: a ${range}s window holds at most one sample of a ${scrapeSeconds}s scrape now that ranges are left-open`);
        if (node.name === "SubqueryExpr" && step !== undefined && step > 0 && range <= step)
          problems.push(`${text}: a subquery whose range is its resolution returns one point under left-open ranges`);
      }
    },
  });
  return problems;
}

const files = renderDev();
const prometheusYml = parse(files["prometheus/prometheus.yml"]) as { global: { scrape_interval: string }; scrape_configs: Array<Record<string, unknown>>; alerting: { alertmanagers: Array<Record<string, unknown>> } };
const scrape = seconds(prometheusYml.global.scrape_interval);

/** Every PromQL expression a dashboard sends to the Prometheus data source. */
function dashboardExpressions(rendered: Record<string, string>): string[] {
  const out: string[] = [];
  const visit = (node: unknown, prometheus: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, prometheus));
    if (typeof node !== "object" || node === null) return;
    const object = node as Record<string, unknown>;
    const type = (object.datasource as { type?: string } | undefined)?.type;
    const isPrometheus = type === undefined ? prometheus : type === "prometheus";
    if (isPrometheus && typeof object.expr === "string") out.push(object.expr);
    for (const value of Object.values(object)) visit(value, isPrometheus);
  };
  for (const [path, text] of Object.entries(rendered)) if (path.startsWith("grafana/dashboards/")) visit(JSON.parse(text), false);
  return out;
}

describe("rules, dashboards and scrape configs mean under Prometheus 3 what they say", () => {
  it("every rule expression: no holt_winters, no integer le/quantile, windows that hold two scrapes", () => {
    const rules = renderedRules(files);
    assert.ok(rules.length > 20);
    for (const rule of rules) assert.deepEqual(prometheus3Problems(rule.expr, scrape), [], rule.alert ?? rule.record);
  });

  it("every dashboard query (Grafana's $__rate_interval is at least four scrapes)", () => {
    const exprs = dashboardExpressions(files);
    assert.ok(exprs.length > 20);
    for (const expr of exprs) assert.deepEqual(prometheus3Problems(withoutGrafanaVariables(expr, scrape), scrape), [], expr);
  });

  it("prometheus.yml: Alertmanager API v2, no renamed or removed scrape options, every job at the interval the windows assume", () => {
    for (const rendered of [files, renderAll(devConfig(), kubernetesTopology("voteobs", 3))]) {
      const yml = parse(rendered["prometheus/prometheus.yml"]) as typeof prometheusYml;
      for (const am of yml.alerting.alertmanagers) assert.equal(am.api_version ?? "v2", "v2", "Prometheus 3 has no Alertmanager v1 API");
      for (const job of yml.scrape_configs) {
        assert.ok(!("scrape_classic_histograms" in job), `${String(job.job_name)}: renamed always_scrape_classic_histograms in Prometheus 3`);
        assert.ok(job.scrape_interval === undefined || seconds(String(job.scrape_interval)) <= scrape, `${String(job.job_name)}: a slower scrape than the rules' windows assume`);
      }
    }
  });

  it("the checks fail on what Prometheus 3 reads differently", () => {
    assert.deepEqual(prometheus3Problems("holt_winters(x[1h], 0.5, 0.5)", 15).length, 1);
    assert.deepEqual(prometheus3Problems('histogram_quantile(0.9, rate(h_bucket{le="1"}[5m]))', 15), ['le="1": Prometheus 3 stores le as a float ("1.0"), so this matches nothing']);
    assert.deepEqual(prometheus3Problems('s{quantile="0.5"} + h_bucket{le="0.25"} + h_bucket{le="+Inf"}', 15), []);
    assert.deepEqual(prometheus3Problems("rate(x[15s])", 15), ["x[15s]: a 15s window holds at most one sample of a 15s scrape now that ranges are left-open"]);
    assert.deepEqual(prometheus3Problems("max_over_time(rate(x[5m])[1m:1m])", 15), ["rate(x[5m])[1m:1m]: a subquery whose range is its resolution returns one point under left-open ranges"]);
    assert.deepEqual(prometheus3Problems("max_over_time(rate(x[5m])[2m:1m])", 15), []);
  });
});

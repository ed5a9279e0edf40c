import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRuleFiles, isAlert } from "../../alert-rules";
import { KNOWN_METRICS } from "../../queries/metrics";
import { devConfig } from "../support/render";
import { dashboardsOf, interpolate, panelQueries } from "./support/grafana";
import { metricNames } from "./support/query-syntax";

const ruleFiles = buildRuleFiles(devConfig());
/** What Prometheus has: what some component exports (queries/metrics.ts) plus what our rules record. */
const recorded = new Set(ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules.flatMap((r) => (isAlert(r) ? [] : [r.record])))));
const available = (name: string) => KNOWN_METRICS.has(name) || recorded.has(name);

describe("panels only query metrics that exist", () => {
  const dashboards = dashboardsOf();
  const byUid = new Map(dashboards.map((d) => [d.uid, d.json]));
  const prometheusQueries = panelQueries(dashboards).filter((q) => q.datasource.type === "prometheus");

  it("every metric a panel reads is exported by a component or recorded by a rule", () => {
    const missing: string[] = [];
    for (const q of prometheusQueries) {
      for (const name of metricNames(interpolate(q.expr, byUid.get(q.dashboard)!))) {
        if (!available(name)) missing.push(`${q.dashboard} / ${q.panel}: ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("every alerting and recording rule reads only metrics that exist", () => {
    const missing = ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr).filter((n) => !available(n)).map((n) => `${isAlert(r) ? r.alert : r.record}: ${n}`))));
    assert.deepEqual(missing, []);
  });

  it("the panels use the recording rules (limits, SLO) and the exporters, not only our services", () => {
    const used = new Set(prometheusQueries.flatMap((q) => metricNames(interpolate(q.expr, byUid.get(q.dashboard)!))));
    for (const name of ["voteobs:service_cpu_limit:cores", "slo:period_error_budget_remaining:ratio", "redis_key_size", "pg_up", "container_cpu_usage_seconds_total", "ALERTS"]) {
      assert.ok(used.has(name), name);
    }
  });
});

describe("the metric check itself can fail", () => {
  it("finds the names of selectors and of __name__ matchers, and flags an unknown one", () => {
    assert.deepEqual(metricNames('sum(rate(http_requests_total{service="vote"}[5m])) / on () votes_typo_total'), ["http_requests_total", "votes_typo_total"]);
    assert.deepEqual(metricNames('min({__name__=~"up|redis_up",service="redis"})'), ["up", "redis_up"]);
    assert.ok(!available("votes_typo_total"));
    assert.ok(available("slo:sli_error:ratio_rate5m"));
  });
});

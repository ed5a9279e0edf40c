import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { allAlerts, buildRuleFiles } from "../../alert-rules";
import { serviceErrorLogs } from "../../queries/logql";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, devConfig, renderDev } from "../support/render";
import { dashboardsOf, interpolate, panelQueries } from "./support/grafana";
import { logqlErrors, promqlErrors } from "./support/query-syntax";

const dashboards = dashboardsOf();
const byUid = new Map(dashboards.map((d) => [d.uid, d.json]));
const queries = panelQueries(dashboards);

describe("every query parses", () => {
  it("the dashboards have Prometheus and Loki queries to check", () => {
    assert.ok(queries.filter((q) => q.datasource.type === "prometheus").length >= 30);
    assert.ok(queries.filter((q) => q.datasource.type === "loki").length >= 5);
  });

  it("every PromQL of every panel, with its variables in place, parses with Prometheus' grammar", () => {
    for (const q of queries.filter((q) => q.datasource.type === "prometheus")) {
      const expr = interpolate(q.expr, byUid.get(q.dashboard)!);
      assert.deepEqual(promqlErrors(expr), [], `${q.dashboard} / ${q.panel} / ${q.refId}:\n${expr}`);
    }
  });

  it("every LogQL of every panel, with its variables in place, parses with Loki's grammar", () => {
    for (const q of queries.filter((q) => q.datasource.type === "loki")) {
      const expr = interpolate(q.expr, byUid.get(q.dashboard)!);
      assert.deepEqual(logqlErrors(expr), [], `${q.dashboard} / ${q.panel} / ${q.refId}:\n${expr}`);
    }
  });

  it("every expression of the rendered alerting and recording rules parses", () => {
    const files = renderDev();
    let checked = 0;
    for (const [path, text] of Object.entries(files).filter(([p]) => p.startsWith("prometheus/rules/"))) {
      for (const group of parse(text).groups as Array<{ rules: Array<{ expr: string; alert?: string; record?: string }> }>) {
        for (const rule of group.rules) {
          checked++;
          assert.deepEqual(promqlErrors(rule.expr), [], `${path} ${rule.alert ?? rule.record}:\n${rule.expr}`);
        }
      }
    }
    assert.ok(checked > 40, `only ${checked} rules`);
  });

  it("every alert's logs link carries a LogQL query that parses, for the alert's service", () => {
    for (const alert of allAlerts(buildRuleFiles(devConfig()))) {
      if (!alert.annotations.logs_url) continue;
      const panes = JSON.parse(new URL(alert.annotations.logs_url).searchParams.get("panes")!);
      const expr: string = panes.a.queries[0].expr;
      const concrete = expr.replace("{{ $labels.service }}", "vote");
      assert.deepEqual(logqlErrors(concrete), [], `${alert.alert}: ${expr}`);
      assert.equal(concrete, serviceErrorLogs(alert.labels.service ?? "vote"), alert.alert);
    }
  });
});

describe("the docs' examples parse too", () => {
  it("every logql block of docs/dashboards.md", () => {
    const blocks = [...readFileSync(join(ROOT, "docs/dashboards.md"), "utf8").matchAll(/```logql\n([\s\S]*?)```/g)].map((m) => m[1].trim());
    assert.ok(blocks.length >= 1);
    for (const block of blocks) assert.deepEqual(logqlErrors(block), [], block);
  });
});

describe("the checks themselves can fail", () => {
  it("a broken PromQL or LogQL expression is reported", () => {
    assert.notDeepEqual(promqlErrors('sum by (service (rate(http_requests_total[5m]))'), []);
    assert.notDeepEqual(promqlErrors("rate(http_requests_total[$__rate_interval])"), [], "an uninterpolated variable is not PromQL");
    assert.notDeepEqual(logqlErrors('{service="vote" |= "x"'), []);
    assert.notDeepEqual(logqlErrors('{service="vote"} | json | status=~'), []);
  });

  it("a variable the dashboard does not define is reported", () => {
    const overview = byUid.get("voteobs-overview")!;
    assert.throws(() => interpolate('up{service=~"$servce"}', overview), /\$servce is no variable/);
    assert.equal(interpolate('up{service=~"$service"}[$__rate_interval]', overview), 'up{service=~"(vote|worker)"}[1m]');
  });
});

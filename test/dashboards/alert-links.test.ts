import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allAlerts, buildRuleFiles } from "../../alert-rules";
import { DATASOURCE_UIDS } from "../../queries/links";
import { serviceErrorLogs } from "../../queries/logql";
import { devConfig } from "../support/render";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import { dashboardsOf, firstExpr, variablesOf } from "./support/grafana";

const config = devConfig();
const alerts = allAlerts(buildRuleFiles(config));
const dashboards = new Map(dashboardsOf(config).map((d) => [d.uid, d.json]));
const LABEL_TEMPLATE = "{{ $labels.service }}";

describe("from an alert to the right graph and log line", () => {
  it("every alert's dashboard link opens a dashboard that exists, under Grafana's external URL", () => {
    for (const alert of alerts) {
      const url = new URL(alert.annotations.dashboard_url.replace(encodeURIComponent(LABEL_TEMPLATE), "x").replace(LABEL_TEMPLATE, "x"));
      assert.equal(url.origin, new URL(config.grafana.externalUrl).origin, alert.alert);
      const uid = /^\/d\/([^/?]+)$/.exec(url.pathname)?.[1];
      assert.ok(uid && dashboards.has(uid), `${alert.alert} links to ${url.pathname}, which is no dashboard`);
    }
  });

  it("a service alert preselects its service, and the dashboard offers that service", () => {
    for (const alert of alerts) {
      const raw = alert.annotations.dashboard_url;
      const uid = /\/d\/([^/?]+)/.exec(raw)![1];
      const variable = variablesOf(dashboards.get(uid)!).find((v) => v.name === "service");
      assert.ok(variable, `${alert.alert} opens ${uid}, which has no service variable`);
      const service = new URLSearchParams(raw.split("?")[1]).get("var-service");
      if (service === null) {
        assert.ok(["Watchdog", "InfoInhibitor", "VoteErrorBudgetBurnInhibitor"].includes(alert.alert), `${alert.alert} does not choose a service`);
      } else if (service !== LABEL_TEMPLATE) {
        assert.equal(service, alert.labels.service, alert.alert);
        assert.ok(String(variable.query).split(",").includes(service), `${uid} does not offer service ${service} (${alert.alert})`);
      }
    }
  });

  it("every logs link opens Explore on the provisioned Loki with the service's error lines", () => {
    for (const alert of alerts.filter((a) => a.annotations.logs_url)) {
      const url = new URL(alert.annotations.logs_url);
      assert.equal(url.pathname, "/explore", alert.alert);
      const pane = JSON.parse(url.searchParams.get("panes")!).a;
      assert.equal(pane.datasource, DATASOURCE_UIDS.loki);
      assert.deepEqual(pane.queries[0].datasource, { type: "loki", uid: DATASOURCE_UIDS.loki });
      assert.equal(pane.queries[0].expr, serviceErrorLogs(alert.labels.service ?? LABEL_TEMPLATE), alert.alert);
      assert.deepEqual(pane.range, { from: "now-1h", to: "now" }, "the notification template swaps in the alert's own range");
    }
  });

  it("the Logs dashboard shows the same error lines for the service a link chooses", () => {
    const logs = dashboards.get("voteobs-logs")!;
    const errors = (logs.panels ?? []).flatMap((p) => ("panels" in p ? [] : [p])).find((p) => p.title === "Error logs of $service")!;
    const expr = firstExpr(errors as Panel);
    assert.equal(expr, '{service=~"$service", level=~"error|fatal"} |= "$search"');
    assert.equal(errors.repeat, "service", "one panel per chosen service");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertContext, alertDefinition, allAlerts, buildRuleFiles, conditionExpr, INHIBITIONS, isAlert, type AlertRule } from "../../alert-rules";
import { sloRules } from "../../alert-rules/slo";
import { crossFieldProblems } from "../../config/checks";
import type { Duration } from "../../config/duration";
import { BURN_WINDOWS, SLI_WINDOWS, sliWindows, type BurnWindow } from "../../queries/slo";
import { devConfig } from "../support/render";

const alert = (rules: AlertRule[], name: string, labels: Record<string, string> = {}) => {
  const found = rules.find((a) => a.alert === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
  assert.ok(found, `no ${name}`);
  return found;
};

describe("each alert's condition is the one source of its rule", () => {
  it("every rendered expression and `for` is its condition's", () => {
    for (const a of allAlerts(buildRuleFiles(devConfig()))) {
      assert.equal(a.expr, conditionExpr(a.condition), a.alert);
      assert.equal(a.for, a.condition.for, a.alert);
    }
  });

  it("alertDefinition finds a disabled alert too (a light still follows it), and fails on an unknown name", () => {
    const config = devConfig({ alerts: { disabled: ["VoteQueueBacklog"] } });
    assert.ok(!allAlerts(buildRuleFiles(config)).some((a) => a.alert === "VoteQueueBacklog"));
    assert.equal(alertDefinition(config, "VoteQueueBacklog").condition.threshold, 100);
    assert.throws(() => alertDefinition(config, "NoSuchAlert"), /no alert NoSuchAlert/);
  });
});

describe("self-monitoring windows and VoteFaultInjectionActive's `for` come from config", () => {
  const changed = devConfig({ alerts: { selfMonitoring: { failureWindow: "15m", logLossWindow: "30m", reloadWindow: "2m", notificationWindow: "10m" }, faultInjection: { for: "3m" } } });

  it("the expressions use the configured windows", () => {
    const rules = allAlerts(buildRuleFiles(changed));
    assert.match(alert(rules, "PrometheusRuleEvaluationFailures").expr, /\[15m\]/);
    assert.match(alert(rules, "PrometheusScrapeSampleLimitHit").expr, /\[15m\]/);
    assert.match(alert(rules, "PrometheusAlertmanagerMissing").expr, /\[15m\]/);
    assert.match(alert(rules, "LogShippingDropping").expr, /\[30m\]/);
    assert.match(alert(rules, "LokiDiscardingLogs").expr, /\[30m\]/);
    assert.match(alert(rules, "PrometheusConfigReloadFailed").expr, /\[2m\]/);
    assert.match(alert(rules, "AlertmanagerConfigReloadFailed").expr, /\[2m\]/);
    assert.match(alert(rules, "PrometheusNotificationsFailing").expr, /\[10m\][^]*\[10m\]/);
    assert.match(alert(rules, "AlertmanagerNotificationsFailing").expr, /\[10m\][^]*\[10m\]/);
    assert.equal(alert(rules, "VoteFaultInjectionActive").for, "3m");
  });

  it("the descriptions quote the same windows, in both languages", () => {
    const id = allAlerts(buildRuleFiles(changed));
    const en = allAlerts(buildRuleFiles(devConfig({ alerting: { language: "en" }, alerts: changed.alerts })));
    assert.match(alert(id, "PrometheusRuleEvaluationFailures").annotations.description, /dalam 15 menit terakhir/);
    assert.match(alert(en, "PrometheusRuleEvaluationFailures").annotations.description, /in the last 15 minutes/);
    assert.match(alert(id, "PrometheusScrapeSampleLimitHit").annotations.description, /dalam 15 menit terakhir/);
    assert.match(alert(en, "PrometheusScrapeSampleLimitHit").annotations.description, /in the last 15 minutes/);
    assert.match(alert(id, "LokiDiscardingLogs").annotations.description, /dalam 30 menit terakhir/);
    assert.match(alert(en, "LogShippingDropping").annotations.description, /in the last 30 minutes/);
    // a reload alert fires once no reload succeeded within the window, for `for` more: 2m + 10m
    assert.match(alert(id, "PrometheusConfigReloadFailed").annotations.description, /selama 12 menit/);
    assert.match(alert(en, "AlertmanagerConfigReloadFailed").annotations.description, /for 12 minutes/);
    const selfMonitoring = ["PrometheusConfigReloadFailed", "PrometheusRuleEvaluationFailures", "PrometheusNotificationsFailing", "PrometheusAlertmanagerMissing", "PrometheusScrapeSampleLimitHit", "AlertmanagerConfigReloadFailed", "AlertmanagerNotificationsFailing", "LogShippingDropping", "LokiDiscardingLogs"];
    for (const a of [...id, ...en].filter((x) => selfMonitoring.includes(x.alert))) assert.doesNotMatch(a.annotations.description, /\b(5|10) (menit|minutes)\b/, `${a.alert} quotes a window that is not configured`);
  });

  it("a window holding fewer than two scrapes, or a `for` under one, is refused naming the field", () => {
    const bad = () => devConfig({ prometheus: { scrapeInterval: "1m", scrapeTimeout: "10s" }, alerts: { selfMonitoring: { failureWindow: "1m" }, faultInjection: { for: "30s" } } });
    assert.throws(bad, /voteobs:alerts → selfMonitoring\.failureWindow: 1m holds fewer than two scrapes at prometheus\.scrapeInterval 1m/);
    assert.throws(bad, /voteobs:alerts → faultInjection\.for: 30s is shorter than prometheus\.scrapeInterval \(1m\)/);
    assert.throws(() => devConfig({ alerts: { selfMonitoring: { logLossWindow: "ten minutes" } } }), /selfMonitoring\.logLossWindow.*"ten minutes" is not a Prometheus duration/);
    assert.throws(() => devConfig({ alerts: { targetDown: { for: "1m" } } }), /targetDown\.for: 1m is not longer than alerts\.serviceDown\.for \(2m\); when every target is down ServiceDown must fire first/);
    assert.throws(() => devConfig({ alerts: { targetDown: { ratio: 10 } } }), /targetDown\.ratio: 10 is not a ratio between 0 and 1/);
    assert.equal(crossFieldProblems(devConfig()).length, 0);
  });
});

describe("the SLI windows are derived from the one burn-window table", () => {
  it("each window of each pair is recorded, and nothing else", () => {
    assert.deepEqual(SLI_WINDOWS, ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]);
    assert.deepEqual(sliWindows(), [...new Set(BURN_WINDOWS.flatMap((w) => [w.long, w.short]))].sort((a, b) => SLI_WINDOWS.indexOf(a) - SLI_WINDOWS.indexOf(b)));
  });

  it("a pair added to the table gets its alert and the recording rules of both its windows", () => {
    const added: BurnWindow = { long: "12h" as Duration, short: "45m" as Duration, budgetShare: 0.08, severity: "warning" };
    const file = sloRules(devConfig().alerts, alertContext(devConfig()), [...BURN_WINDOWS, added]);
    const rules = file.groups.flatMap((g) => g.rules);
    const records = new Set(rules.flatMap((r) => ("record" in r ? [r.record] : [])));
    const alerts = rules.filter(isAlert).filter((a) => a.alert === "VoteErrorBudgetBurn");
    assert.equal(alerts.length, BURN_WINDOWS.length + 1);
    for (const a of alerts) {
      for (const read of a.expr.match(/slo:sli_error:ratio_rate\w+/g) ?? []) assert.ok(records.has(read), `${a.labels.long_window}/${a.labels.short_window} reads ${read}, which is not recorded`);
    }
    assert.ok(records.has("slo:sli_error:ratio_rate12h") && records.has("slo:sli_error:ratio_rate45m"));
  });

  it("each pair is its own alert, told apart by its windows, paging or ticketing as the table says", () => {
    const burns = allAlerts(buildRuleFiles(devConfig())).filter((a) => a.alert === "VoteErrorBudgetBurn");
    assert.deepEqual(
      burns.map((a) => [a.labels.long_window, a.labels.short_window, a.labels.severity, a.for]),
      [
        ["1h", "5m", "critical", "2m"],
        ["6h", "30m", "critical", "2m"],
        ["1d", "2h", "warning", "1h"],
        ["3d", "6h", "warning", "1h"],
      ],
    );
  });
});

describe("inhibitions silence only what their source explains", () => {
  const has = (source: string, target: string) => INHIBITIONS.some((i) => i.source.includes(source) && i.target.some((t) => t === target || t.includes(target)));

  it("TargetDown silences nothing; ServiceDown silences its service except the alerts that say why it is down", () => {
    assert.ok(!INHIBITIONS.some((i) => i.source.some((s) => s.includes("TargetDown"))));
    const down = INHIBITIONS.find((i) => i.source.includes('alertname="ServiceDown"'))!;
    assert.deepEqual(down.equal, ["service"]);
    for (const cause of ["ServiceCrashLooping", "ServiceHighCpu", "ServiceHighMemory"]) assert.match(down.target[0], new RegExp(`^alertname!~".*${cause}`));
  });

  it("a page silences the ticket of the same alert only, and the seed's alert the burn of its service", () => {
    const pageTicket = INHIBITIONS.find((i) => i.source.includes('severity="critical"'))!;
    assert.deepEqual(pageTicket.equal, ["alertname", "service"]);
    assert.ok(has('alertname="VoteHighErrorRate"', 'alertname="VoteErrorBudgetBurn"'));
    assert.ok(has('alertname="VoteErrorBudgetBurnInhibitor"', 'alertname="VoteErrorBudgetBurn"'));
    assert.ok(!INHIBITIONS.some((i) => i.target.some((t) => t.includes("VoteHighErrorRate")) && !i.target[0].startsWith("alertname!~")), "nothing but a down service silences the seed's alert");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Panel, Threshold } from "@grafana/grafana-foundation-sdk/dashboard";
import { allAlerts, buildRuleFiles, type AlertRule } from "../../alert-rules";
import type { StackConfig } from "../../config/schema";
import { trafficLights } from "../../dashboards";
import { devConfig } from "../support/render";
import { contentPanels, dashboardsOf, firstExpr } from "./support/grafana";

const SEVERITY_COLOR: Record<string, string> = { critical: "red", warning: "orange" };
const squash = (text: string) => text.replace(/\s+/g, " ").trim();

function panel(config: StackConfig, dashboard: string, title: string): Panel {
  const found = contentPanels(dashboardsOf(config).find((d) => d.uid === dashboard)!.json).find((p) => p.title === title);
  assert.ok(found, `${dashboard} has no panel "${title}"`);
  return found;
}

const stepsOf = (p: Panel): Threshold[] => p.fieldConfig?.defaults?.thresholds?.steps ?? [];

/** The overview's row of lights, in order. */
function lights(config: StackConfig): Panel[] {
  return contentPanels(dashboardsOf(config)[0].json).slice(0, trafficLights(config).length);
}

/**
 * What the alert itself compares: the operator and number that follow `operand` in its rendered
 * expression. This reads the rule as Prometheus gets it, not the condition object, so the light
 * and the rendered rule are checked against each other.
 */
function alertComparison(alert: AlertRule, operand: string): { op: string; value: number } {
  const expr = squash(alert.expr);
  const at = expr.indexOf(squash(operand));
  assert.ok(at >= 0, `${alert.alert} does not compare the light's operand:\n${operand}\nin\n${alert.expr}`);
  const match = /^\s*(>=|>|==|<)\s*(-?[\d.e]+)/.exec(expr.slice(at + squash(operand).length));
  assert.ok(match, `${alert.alert}: no comparison after the operand`);
  return { op: match[1], value: Number(match[2]) };
}

/** The colour steps that turn a panel red (or orange) exactly where the alert's comparison holds. */
function expectedSteps(alert: AlertRule, comparison: { op: string; value: number }, wholeNumbers: boolean): Threshold[] {
  const alarm = SEVERITY_COLOR[alert.labels.severity];
  if (comparison.op === "==" && comparison.value === 0) return [{ value: null, color: alarm }, { value: 1, color: "green" }];
  if (comparison.op === ">") return [{ value: null, color: "green" }, { value: wholeNumbers ? Math.floor(comparison.value) + 1 : comparison.value, color: alarm }];
  if (comparison.op === ">=") return [{ value: null, color: "green" }, { value: comparison.value, color: alarm }];
  throw new Error(`no steps for ${comparison.op}`);
}

function checkLights(config: StackConfig): void {
  const alerts = allAlerts(buildRuleFiles(config));
  const specs = trafficLights(config);
  const panels = lights(config);
  assert.deepEqual(
    panels.map((p) => p.title),
    ["vote", "worker", "result", "redis", "postgres", "prometheus", "alertmanager", "loki"],
  );
  specs.forEach((light, i) => {
    const alert = alerts.find((a) => a.alert === light.alert.alert);
    assert.ok(alert, `light ${light.service} follows ${light.alert.alert}, which is not rendered`);
    const comparison = alertComparison(alert, light.condition.operand);
    assert.ok(squash(firstExpr(panels[i])).includes(squash(light.condition.operand)), `light ${light.service} shows ${alert.alert}'s operand`);
    assert.deepEqual(stepsOf(panels[i]), expectedSteps(alert, comparison, light.condition.integer === true), `light ${light.service} vs ${alert.alert} (${comparison.op} ${comparison.value})`);
  });
}

describe("a traffic light turns its alert's colour exactly at the alert's threshold", () => {
  it("with the dev config, every light's steps are its alert's comparison and severity", () => {
    checkLights(devConfig());
  });

  it("after changing the thresholds in config, the lights move with the alerts", () => {
    const changed = devConfig({ alerts: { voteErrorRatio: { threshold: 0.07, window: "3m" }, queue: { depth: 250 }, selfMonitoring: { notificationFailureRatio: 0.02, notificationWindow: "10m" } } });
    checkLights(changed);
    const steps = lights(changed).map((p) => stepsOf(p)[1].value);
    assert.deepEqual(steps.slice(0, 2), [0.07, 251]);
    assert.deepEqual(steps.slice(5, 7), [0.02, 0.02]);
    assert.match(firstExpr(lights(changed)[0]), /\[3m\]/, "the vote light reads the seed's window from config");
    assert.match(firstExpr(lights(changed)[5]), /\[10m\]/, "the Prometheus light reads the notification window from config");
  });

  it("every light reads DOWN, in red, while ServiceDown's condition holds for its service", () => {
    const serviceDown = allAlerts(buildRuleFiles(devConfig())).find((a) => a.alert === "ServiceDown")!;
    for (const light of lights(devConfig())) {
      const expr = firstExpr(light);
      assert.ok(expr.startsWith(`(max((\n${serviceDown.condition.operand}\n)\nand on (service)\nlabel_replace(vector(1), "service", "${light.title}", "", "")) == bool 0 == 1) * -1\nor on ()`), `${light.title}: ${expr}`);
      const mapping = light.fieldConfig!.defaults!.mappings![0] as { options: Record<string, { text: string; color: string }> };
      assert.deepEqual([mapping.options["-1"].text, mapping.options["-1"].color], ["DOWN", "red"], light.title!);
    }
  });

  it("the check fails when a light's step and its alert disagree", () => {
    const config = devConfig();
    const alert = allAlerts(buildRuleFiles(config)).find((a) => a.alert === "VoteHighErrorRate")!;
    const light = trafficLights(config)[0];
    const wrong = expectedSteps(alert, { op: ">", value: 0.06 }, false);
    assert.notDeepEqual(stepsOf(lights(config)[0]), wrong);
    assert.throws(() => alertComparison({ ...alert, expr: "vector(1) > 0.05" }, light.condition.operand), /does not compare the light's operand/);
  });
});

describe("other coloured panels take their thresholds from the same config", () => {
  const before = devConfig();
  const after = devConfig({ alerts: { voteLatency: { p95: "450ms", p99: "2s" }, cpu: { threshold: 0.8 }, memory: { threshold: 0.85 }, restarts: { count: 5 } } });
  const cases: Array<[string, string, number, number]> = [
    ["voteobs-overview", "Vote latency p95", 0.3, 0.45],
    ["voteobs-overview", "Vote latency p99", 1, 2],
    ["voteobs-user-experience", "Latency p95 by route", 0.3, 0.45],
    ["voteobs-infrastructure", "CPU use of the limit (busiest instance)", 0.9, 0.8],
    ["voteobs-infrastructure", "Memory use of the limit (largest instance)", 0.9, 0.85],
    ["voteobs-infrastructure", "Restarts within 15m", 3, 5],
  ];
  for (const [dashboard, title, was, now] of cases) {
    it(`${title}: ${was} → ${now}`, () => {
      assert.equal(stepsOf(panel(before, dashboard, title))[1].value, was);
      assert.equal(stepsOf(panel(after, dashboard, title))[1].value, now);
    });
  }

  it("the vote error ratio graphs show the SLO objective and the alert threshold, both from config", () => {
    const changed = devConfig({ alerts: { voteErrorRatio: { threshold: 0.07 }, slo: { objective: 0.995 } } });
    for (const [dashboard, title] of [
      ["voteobs-overview", "Vote error ratio"],
      ["voteobs-user-experience", "Error ratio of $service"],
    ]) {
      assert.deepEqual(stepsOf(panel(before, dashboard, title)).map((s) => s.value), [null, 0.001, 0.05], title);
      assert.deepEqual(stepsOf(panel(changed, dashboard, title)).map((s) => s.value), [null, 0.005, 0.07], title);
    }
  });
});

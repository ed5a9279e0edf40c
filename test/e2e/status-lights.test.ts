import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allAlerts, buildRuleFiles } from "../../alert-rules";
import { judge, statusQueries, WATCHED_BY, type StatusQuery, type StatusReport } from "../../status/lights";
import type { ActiveAlert, Sample } from "../../status/prometheus-api";
import { devConfig } from "../support/render";

const config = devConfig();
const perService = (values: Record<string, number>): Sample[] => Object.entries(values).map(([service, value]) => ({ labels: { service }, value }));
const single = (value: number): Sample[] => [{ labels: {}, value }];
/** One `ALERTS` sample, as Prometheus records a pending or firing alert. */
const state = (alertname: string, alertstate: "pending" | "firing", severity: string, service: string): Sample => ({ labels: { __name__: "ALERTS", alertname, alertstate, severity, service }, value: 1 });

const HEALTHY: Partial<Record<StatusQuery, Sample[]>> = {
  alertStates: [],
  targetsUp: perService({ vote: 2, worker: 1, result: 1, redis: 1, postgres: 1, prometheus: 1 }),
  targets: perService({ vote: 2, worker: 1, result: 1, redis: 1, postgres: 1, prometheus: 1 }),
  redisUp: perService({ redis: 1 }),
  postgresUp: perService({ postgres: 1 }),
  requestRate: perService({ vote: 20, result: 5 }),
  errorRatio: perService({ vote: 0 }),
  p95: perService({ vote: 0.02, result: 0.01 }),
  queueDepth: single(0),
  restarts: perService({ vote: 0, worker: 0, result: 0 }),
  cpu: perService({ vote: 0.1, worker: 0.1 }),
  memory: perService({ vote: 0.3, worker: 0.3 }),
};

function lights(overrides: Partial<Record<StatusQuery, Sample[]>>, alerts: ActiveAlert[] = []): StatusReport {
  return judge({ ...HEALTHY, ...overrides }, alerts, { prometheusUrl: "http://prometheus" }, []);
}
const row = (report: StatusReport, service: string) => report.services.find((s) => s.service === service)!;

/**
 * `npm run status` shows the values of the shared queries and colours them only by the state of
 * the alerts that watch them, as Prometheus' `ALERTS` series records it: it never judges a
 * threshold itself, so it cannot disagree with the alerts.
 */
describe("status lights", () => {
  it("read the same queries as the alerts, over the alerts' windows, and the alert states from ALERTS", () => {
    const queries = statusQueries(config);
    assert.match(queries.errorRatio, /\[2m\]/);
    assert.match(queries.restarts, /\[15m\]/);
    assert.equal(queries.alertStates, 'ALERTS{severity!="none"}');
    const changed = statusQueries(devConfig({ alerts: { voteErrorRatio: { window: "3m" } } }));
    assert.match(changed.errorRatio, /\[3m\]/);
  });

  it("every alert a cell follows exists", () => {
    const names = new Set(allAlerts(buildRuleFiles(config)).map((a) => a.alert));
    for (const [signal, alerts] of Object.entries(WATCHED_BY)) for (const name of alerts) assert.ok(names.has(name), `${signal} follows ${name}, which is no alert`);
  });

  it("are green while no alert is pending or firing, whatever the values", () => {
    const report = lights({ errorRatio: perService({ vote: 0.3 }), cpu: perService({ vote: 0.99 }), queueDepth: single(5000) });
    assert.equal(report.light, "green");
    assert.deepEqual(
      report.services.map((s) => s.light),
      report.services.map(() => "green"),
    );
    assert.equal(row(report, "vote").cells.errorRatio.text, "30.0%", "the value is still shown");
  });

  it("take a firing alert's severity colour, and amber while it is pending", () => {
    const firing = row(lights({ alertStates: [state("VoteHighErrorRate", "firing", "critical", "vote")] }), "vote");
    assert.deepEqual([firing.cells.errorRatio.light, firing.cells.errorRatio.reason, firing.cells.errorRatio.state, firing.light], ["red", "VoteHighErrorRate", "firing", "red"]);
    const pending = row(lights({ alertStates: [state("VoteHighErrorRate", "pending", "critical", "vote")] }), "vote");
    assert.deepEqual([pending.cells.errorRatio.light, pending.cells.errorRatio.state, pending.light], ["amber", "pending", "amber"]);
    const burn = row(lights({ alertStates: [state("VoteErrorBudgetBurn", "firing", "warning", "vote")] }), "vote");
    assert.deepEqual([burn.cells.errorRatio.light, burn.cells.errorRatio.reason], ["amber", "VoteErrorBudgetBurn"]);
    const both = row(lights({ alertStates: [state("VoteErrorBudgetBurn", "firing", "warning", "vote"), state("VoteHighErrorRate", "firing", "critical", "vote")] }), "vote");
    assert.equal(both.cells.errorRatio.reason, "VoteHighErrorRate", "the worst state wins");
  });

  it("colour only the cell and the service the alert is about", () => {
    const report = lights({ alertStates: [state("VoteQueueBacklog", "firing", "warning", "worker"), state("ServiceHighCpu", "firing", "warning", "vote")] });
    assert.equal(row(report, "worker").cells.queueDepth.reason, "VoteQueueBacklog");
    assert.equal(row(report, "worker").cells.cpu.light, "green");
    assert.equal(row(report, "vote").cells.cpu.reason, "ServiceHighCpu");
    assert.equal(row(report, "vote").cells.errorRatio.light, "green");
    assert.equal(row(report, "result").light, "green");
  });

  it("show targets up per service; ServiceDown is red, one replica down (TargetDown) amber", () => {
    const down = row(lights({ targetsUp: perService({ ...Object.fromEntries(HEALTHY.targetsUp!.map((s) => [s.labels.service, s.value])), vote: 1 }), alertStates: [state("TargetDown", "firing", "warning", "vote")] }), "vote");
    assert.deepEqual([down.cells.up.text, down.cells.up.light, down.cells.up.reason], ["1/2 up", "amber", "TargetDown"]);
    const gone = row(lights({ targetsUp: perService({ worker: 0 }), alertStates: [state("ServiceDown", "firing", "critical", "worker")] }), "worker");
    assert.deepEqual([gone.cells.up.text, gone.cells.up.light], ["down", "red"]);
    const redis = row(lights({ redisUp: perService({ redis: 0 }), alertStates: [state("RedisDown", "pending", "critical", "redis")] }), "redis");
    assert.deepEqual([redis.cells.up.text, redis.cells.up.light, redis.cells.up.state], ["no server", "amber", "pending"]);
  });

  it("take the colour of firing alerts from Alertmanager too, and are red when Prometheus does not answer", () => {
    const alert: ActiveAlert = { name: "DependencyUnreachable", severity: "warning", service: "result", state: "firing", since: "", summary: "" };
    assert.equal(row(lights({}, [alert]), "result").light, "amber");
    assert.equal(lights({}, [{ ...alert, severity: "critical", service: undefined }]).light, "red");
    assert.equal(judge({}, [], { prometheusUrl: "http://prometheus" }, ["up: unreachable"]).light, "red");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judge, statusQueries, type StatusReport } from "../../status/lights";
import type { ActiveAlert, Sample } from "../../status/prometheus-api";
import { devConfig } from "../support/render";

const config = devConfig();
const perService = (values: Record<string, number>): Sample[] => Object.entries(values).map(([service, value]) => ({ labels: { service }, value }));
const single = (value: number): Sample[] => [{ labels: {}, value }];
const HEALTHY = {
  up: perService({ vote: 1, worker: 1, result: 1, redis: 1, postgres: 1, prometheus: 1 }),
  requestRate: perService({ vote: 20, result: 5 }),
  errorRatio: perService({ vote: 0 }),
  p95: perService({ vote: 0.02, result: 0.01 }),
  queueDepth: single(0),
  queueGrowth: single(0),
  processedRate: single(10),
  restarts: perService({ vote: 0, worker: 0, result: 0 }),
  cpu: perService({ vote: 0.1, worker: 0.1 }),
  memory: perService({ vote: 0.3, worker: 0.3 }),
};

function lights(overrides: Partial<Record<keyof typeof HEALTHY, Sample[]>>, alerts: ActiveAlert[] = []): StatusReport {
  return judge(config, { ...HEALTHY, ...overrides }, alerts, { prometheusUrl: "http://prometheus" }, []);
}
const row = (report: StatusReport, service: string) => report.services.find((s) => s.service === service)!;

/** The colours of `npm run status` follow the alerts' conditions at the thresholds of the typed config. */
describe("status lights", () => {
  it("read the same queries as the alerts, over the alerts' windows", () => {
    const queries = statusQueries(config);
    assert.match(queries.errorRatio, /\[2m\]/);
    assert.match(queries.restarts, /\[15m\]/);
    assert.equal(queries.up, 'min by (service) ({__name__=~"up|redis_up|pg_up"})');
  });

  it("are green when every value is below its alert's threshold", () => {
    const report = lights({});
    assert.equal(report.light, "green");
    assert.deepEqual(
      report.services.map((s) => s.light),
      report.services.map(() => "green"),
    );
  });

  it("turn vote red above the seed's 5%, amber above the SLO budget, and leave a value no alert watches uncoloured", () => {
    assert.equal(row(lights({ errorRatio: perService({ vote: 0.06 }) }), "vote").cells.errorRatio.reason, "VoteHighErrorRate");
    assert.equal(row(lights({ errorRatio: perService({ vote: 0.06 }) }), "vote").light, "red");
    assert.equal(row(lights({ errorRatio: perService({ vote: 0.05 }) }), "vote").light, "amber", "5% exactly is not above 5%");
    assert.equal(row(lights({ errorRatio: perService({ vote: 0.002 }) }), "vote").cells.errorRatio.reason, "VoteErrorBudgetBurn");
    const result = row(lights({ errorRatio: perService({ result: 0.5 }) }), "result");
    assert.equal(result.cells.errorRatio.light, undefined);
    assert.equal(result.light, "green");
  });

  it("follow the queue alerts: backlog amber, a stalled worker red", () => {
    assert.equal(row(lights({ queueDepth: single(150), queueGrowth: single(20) }), "worker").cells.queueDepth.reason, "VoteQueueBacklog");
    assert.equal(row(lights({ queueDepth: single(150), queueGrowth: single(5) }), "worker").light, "green", "deep but not growing");
    assert.equal(row(lights({ queueDepth: single(3), processedRate: single(0) }), "worker").cells.queueDepth.reason, "WorkerNotConsuming");
    assert.equal(row(lights({ queueDepth: single(3), processedRate: [] }), "worker").light, "red", "no processed series at all");
  });

  it("show down, crash-loops, CPU and memory as their alerts do", () => {
    assert.equal(row(lights({ up: perService({ ...Object.fromEntries(HEALTHY.up.map((s) => [s.labels.service, 1])), redis: 0 }) }), "redis").cells.up.reason, "RedisDown");
    assert.equal(row(lights({ restarts: perService({ result: 3 }) }), "result").cells.restarts.reason, "ServiceCrashLooping");
    assert.equal(row(lights({ restarts: perService({ result: 2 }) }), "result").light, "green");
    assert.equal(row(lights({ cpu: perService({ worker: 0.95 }) }), "worker").light, "amber");
    assert.equal(row(lights({ memory: perService({ vote: 0.95 }) }), "vote").cells.memory.reason, "ServiceHighMemory");
  });

  it("take the colour of firing alerts, and are red when Prometheus does not answer", () => {
    const alert: ActiveAlert = { name: "VoteQueueBacklog", severity: "warning", service: "worker", state: "firing", since: "", summary: "" };
    assert.equal(row(lights({}, [alert]), "worker").light, "amber");
    assert.equal(lights({}, [{ ...alert, severity: "critical", service: undefined }]).light, "red");
    assert.equal(judge(config, {}, [], { prometheusUrl: "http://prometheus" }, ["up: unreachable"]).light, "red");
  });
});

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { trafficLights, type TrafficLight } from "../../dashboards";
import { toolPath } from "../../toolchain";
import { run, tempDir } from "../support/exec";
import { devConfig } from "../support/render";

/**
 * The lights' queries evaluated by Prometheus' own engine (promtool test rules): the value each
 * shows for a healthy, a failing, a silent and a down service. The series are written in
 * promtool's expanding notation, one sample a minute.
 */
const promtool = toolPath("promtool");
const lights = new Map<string, TrafficLight>(trafficLights(devConfig()).map((l) => [l.service, l]));
const folder = tempDir("lights");
after(() => folder.cleanup());

interface Case {
  name: string;
  light: string;
  series: Record<string, string>;
  /** Expected samples at minute 10, labels as promtool prints them. */
  expect: Array<{ labels: string; value: number }>;
}

const UP = (service: string, value = "1x10") => ({ [`up{service="${service}", instance="${service}:1"}`]: value });

const CASES: Case[] = [
  {
    name: "vote answering 10% 5xx shows the ratio",
    light: "vote",
    series: { ...UP("vote"), 'http_requests_total{service="vote", status="5xx"}': "0+6x10", 'http_requests_total{service="vote", status="2xx"}': "0+54x10" },
    expect: [{ labels: "{}", value: 0.1 }],
  },
  { name: "Loki refusing nothing shows 0", light: "loki", series: { ...UP("loki"), 'loki_discarded_samples_total{service="loki", reason="rate_limited"}': "3x10" }, expect: [{ labels: "{}", value: 0 }] },
  { name: "vote without traffic shows 0, as the alert stays quiet", light: "vote", series: { ...UP("vote"), 'http_requests_total{service="vote", status="2xx"}': "5x10" }, expect: [{ labels: "{}", value: 0 }] },
  { name: "vote down shows -1 (DOWN), whatever its last ratio", light: "vote", series: { ...UP("vote", "1x5 0x5"), 'http_requests_total{service="vote", status="5xx"}': "0+6x10" }, expect: [{ labels: "{}", value: -1 }] },
  {
    name: "one of two vote replicas down is not DOWN: the other still answers, and its 10% 5xx still shows (TargetDown only warns)",
    light: "vote",
    series: { ...UP("vote"), 'up{service="vote", instance="vote:2"}': "0x10", 'http_requests_total{service="vote", status="5xx"}': "0+6x10", 'http_requests_total{service="vote", status="2xx"}': "0+54x10" },
    expect: [{ labels: "{}", value: 0.1 }],
  },
  { name: "both vote replicas down is DOWN, as ServiceDown's condition holds", light: "vote", series: { ...UP("vote", "0x10"), 'up{service="vote", instance="vote:2"}': "0x10" }, expect: [{ labels: "{}", value: -1 }] },
  { name: "worker shows the Redis queue length", light: "worker", series: { ...UP("worker"), 'redis_key_size{service="redis", key="votes", db="db0"}': "150x10" }, expect: [{ labels: "{}", value: 150 }] },
  { name: "an empty queue (Redis deletes empty lists) shows 0", light: "worker", series: { ...UP("worker") }, expect: [{ labels: "{}", value: 0 }] },
  { name: "result cut off from Postgres shows 0", light: "result", series: { ...UP("result"), 'dependency_up{service="result", dependency="postgres", instance="result:1"}': "0x10" }, expect: [{ labels: "{}", value: 0 }] },
  { name: "Redis behind a healthy exporter shows 1", light: "redis", series: { ...UP("redis"), 'redis_up{service="redis"}': "1x10" }, expect: [{ labels: "{}", value: 1 }] },
  { name: "Redis the exporter cannot reach shows 0 (RedisDown's condition, read DOWN)", light: "redis", series: { ...UP("redis"), 'redis_up{service="redis"}': "0x10" }, expect: [{ labels: "{}", value: 0 }] },
  { name: "Redis whose exporter cannot be scraped is DOWN", light: "redis", series: { ...UP("redis", "0x10") }, expect: [{ labels: "{}", value: -1 }] },
  { name: "result's light reads only result's reach of Postgres, not worker's", light: "result", series: { ...UP("result"), 'dependency_up{service="result", dependency="postgres", instance="result:1"}': "1x10", 'dependency_up{service="worker", dependency="postgres", instance="worker:1"}': "0x10" }, expect: [{ labels: "{}", value: 1 }] },
  {
    name: "Loki refusing lines shows how many it refused in 10 minutes",
    light: "loki",
    series: { ...UP("loki"), 'loki_discarded_samples_total{service="loki", reason="rate_limited"}': "0x5 0+1x5" },
    expect: [{ labels: "{}", value: 4 }],
  },
];

describe("traffic lights, evaluated by Prometheus", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const file = join(folder.path, `${c.light}-${CASES.indexOf(c)}.test.yml`);
      const test = {
        rule_files: [],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
            promql_expr_test: [{ expr: lights.get(c.light)!.expr, eval_time: "10m", exp_samples: c.expect }],
          },
        ],
      };
      writeFileSync(file, stringify(test));
      const result = run(promtool, ["test", "rules", file]);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    });
  }

  it("promtool reports a wrong expectation (the check can fail)", () => {
    const file = join(folder.path, "wrong.test.yml");
    writeFileSync(file, stringify({ rule_files: [], evaluation_interval: "1m", tests: [{ interval: "1m", input_series: [{ series: 'up{service="vote"}', values: "0x10" }], promql_expr_test: [{ expr: lights.get("vote")!.expr, eval_time: "10m", exp_samples: [{ labels: "{}", value: 0 }] }] }] }));
    assert.notEqual(run(promtool, ["test", "rules", file]).code, 0);
  });
});

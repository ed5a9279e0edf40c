import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { allAlerts, buildRuleFiles } from "../../alert-rules";
import { kubernetesTopology, renderAll } from "../../render";
import { toolPath } from "../../toolchain";
import { run, tempDir, writeFiles } from "../support/exec";
import { ROOT, devConfig, topologyUnder } from "../support/render";

const PROMTOOL = toolPath("promtool");
const TESTS = join(ROOT, "test/promtool");

describe("promtool accepts the render", () => {
  const dir = tempDir("promtool");
  after(dir.cleanup);

  it("promtool check config: the docker prometheus.yml and every rule file it names", () => {
    const root = join(dir.path, "docker");
    writeFiles(root, renderAll(devConfig(), topologyUnder(root)));
    const result = run(PROMTOOL, ["check", "config", join(root, "prometheus/prometheus.yml")]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /SUCCESS: 5 rule files found/);
  });

  it("promtool check config: the kubernetes prometheus.yml, its kubernetes_sd_configs intact", () => {
    const root = join(dir.path, "kubernetes");
    const files = renderAll(devConfig(), topologyUnder(root, kubernetesTopology("voteobs", 3)));
    const prometheus = parse(files["prometheus/prometheus.yml"]);
    const discovered = prometheus.scrape_configs.filter((job: Record<string, unknown>) => job.kubernetes_sd_configs);
    assert.ok(discovered.length >= 10, "our services, exporters and cAdvisor are discovered");
    // The service account files exist only inside a pod; promtool insists they exist.
    for (const job of prometheus.scrape_configs) {
      if (job.authorization?.credentials_file) job.authorization.credentials_file = join(root, "token");
      if (job.tls_config?.ca_file) job.tls_config.ca_file = join(root, "ca.crt");
    }
    writeFiles(root, { token: "token", "ca.crt": "" });
    writeFiles(root, { ...files, "prometheus/prometheus.yml": stringify(prometheus) });
    const result = run(PROMTOOL, ["check", "config", join(root, "prometheus/prometheus.yml")]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  it("promtool check rules: every generated rule file", () => {
    const folder = join(ROOT, "generated/dev/prometheus/rules");
    const files = readdirSync(folder).map((f) => join(folder, f));
    const result = run(PROMTOOL, ["check", "rules", ...files]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
});

describe("promtool test rules", () => {
  const testFiles = readdirSync(TESTS)
    .filter((f) => f.endsWith(".test.yml"))
    .sort();

  for (const file of testFiles) {
    it(file, () => {
      const result = run(PROMTOOL, ["test", "rules", file], { cwd: TESTS, timeoutMs: 120_000 });
      assert.equal(result.code, 0, result.stdout + result.stderr);
    });
  }

  it("every alert is tested quiet just before its `for`, firing right after, and quiet under its threshold", () => {
    interface Case {
      eval_time: string;
      alertname: string;
      exp_alerts?: unknown[];
    }
    interface Group {
      name?: string;
      interval?: string;
      alert_rule_test?: Case[];
    }
    const minutes = (d: string) => {
      const m = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(d);
      assert.ok(m, `eval_time ${d} should be in h/m`);
      return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
    };
    const groups: Group[] = testFiles.flatMap((f) => (parse(readFileSync(join(TESTS, f), "utf8")).tests as Group[]) ?? []);
    const missing: string[] = [];
    for (const alert of allAlerts(buildRuleFiles(devConfig()))) {
      const name = alert.alert;
      const casesPerGroup = groups.map((g) => (g.alert_rule_test ?? []).filter((c) => c.alertname === name));
      const fires = casesPerGroup.some((cases) => cases.some((c) => (c.exp_alerts ?? []).length > 0));
      if (!fires) missing.push(`${name}: no case where it fires`);
      if (alert.for) {
        const edge = casesPerGroup.some((cases) =>
          cases.some((quiet) => (quiet.exp_alerts ?? []).length === 0 && cases.some((loud) => (loud.exp_alerts ?? []).length > 0 && minutes(loud.eval_time) - minutes(quiet.eval_time) === 1)),
        );
        if (!edge) missing.push(`${name}: no quiet case one step before a firing one (the \`for\` edge)`);
      }
      const neverFires = casesPerGroup.some((cases) => cases.length > 0 && cases.every((c) => (c.exp_alerts ?? []).length === 0));
      if (!neverFires && name !== "Watchdog") missing.push(`${name}: no case that stays quiet (just under the threshold)`);
    }
    assert.deepEqual(missing, []);
  });
});

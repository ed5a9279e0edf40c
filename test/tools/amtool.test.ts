import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { renderAll, TEMPLATE_FILE } from "../../render";
import { toolPath } from "../../toolchain";
import { run, tempDir, writeFiles } from "../support/exec";
import { ROOT, devConfig, topologyUnder } from "../support/render";

const AMTOOL = toolPath("amtool");

/** Receivers an alert with these labels reaches, as Alertmanager's own router decides. */
function receiversFor(configFile: string, labels: Record<string, string>): string[] {
  const result = run(AMTOOL, ["config", "routes", "test", `--config.file=${configFile}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split(",").sort();
}

describe("amtool accepts the Alertmanager render", () => {
  const dir = tempDir("amtool");
  let configFile = "";
  before(() => {
    // Templates moved under the temp folder so check-config really parses them.
    writeFiles(dir.path, renderAll(devConfig(), topologyUnder(dir.path)));
    configFile = join(dir.path, "alertmanager/alertmanager.yml");
  });
  after(dir.cleanup);

  it("amtool check-config: config, receivers, inhibitions and templates", () => {
    const result = run(AMTOOL, ["check-config", configFile]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /- 6 inhibit rules/);
    assert.match(result.stdout, /- 4 receivers/);
    assert.match(result.stdout, /- 1 templates/);
  });

  it("the committed generated/dev/alertmanager/alertmanager.yml is valid as is", () => {
    const result = run(AMTOOL, ["check-config", join(ROOT, "generated/dev/alertmanager/alertmanager.yml")]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  describe("amtool config routes test: each severity reaches the receivers configured for it", () => {
    it("critical → Slack and email (the seed's alert)", () => {
      assert.deepEqual(receiversFor(configFile, { alertname: "VoteHighErrorRate", severity: "critical", service: "vote", team: "voting" }), ["email", "slack"]);
    });
    it("warning → Slack only", () => {
      assert.deepEqual(receiversFor(configFile, { alertname: "VoteQueueBacklog", severity: "warning", service: "worker", team: "voting" }), ["slack"]);
    });
    it("info → nobody on its own", () => {
      assert.deepEqual(receiversFor(configFile, { alertname: "VoteFaultInjectionActive", severity: "info", service: "vote" }), ["blackhole"]);
    });
    it("Watchdog → the dead man's switch and no human receiver", () => {
      assert.deepEqual(receiversFor(configFile, { alertname: "Watchdog", severity: "none", team: "voting" }), ["deadmansswitch"]);
    });
    it("InfoInhibitor and VoteErrorBudgetBurnInhibitor (severity none plumbing) → nobody", () => {
      assert.deepEqual(receiversFor(configFile, { alertname: "InfoInhibitor", severity: "none", service: "vote" }), ["blackhole"]);
      assert.deepEqual(receiversFor(configFile, { alertname: "VoteErrorBudgetBurnInhibitor", severity: "none", service: "vote", team: "voting" }), ["blackhole"]);
    });
    it("TargetDown (warning) → Slack only; ServiceDown (critical) → Slack and email", () => {
      assert.deepEqual(receiversFor(configFile, { alertname: "TargetDown", severity: "warning", service: "vote", job: "vote", team: "voting" }), ["slack"]);
      assert.deepEqual(receiversFor(configFile, { alertname: "ServiceDown", severity: "critical", service: "vote", team: "voting" }), ["email", "slack"]);
    });
    it("a receiver's extra matchers narrow what it gets", () => {
      const config = devConfig({
        alerting: {
          receivers: [
            { type: "slack", name: "voting-team", channel: "#vote", webhookUrl: { secret: "a" }, matchers: { team: "voting" } },
            { type: "slack", name: "platform", channel: "#platform", webhookUrl: { secret: "b" }, severities: ["critical"], matchers: { service: "prometheus" } },
          ],
        },
      });
      const other = tempDir("amtool-matchers");
      try {
        writeFiles(other.path, renderAll(config, topologyUnder(other.path)));
        const file = join(other.path, "alertmanager/alertmanager.yml");
        assert.deepEqual(receiversFor(file, { alertname: "PrometheusRuleEvaluationFailures", severity: "critical", service: "prometheus", team: "voting" }), ["platform", "voting-team"]);
        assert.deepEqual(receiversFor(file, { alertname: "VoteHighErrorRate", severity: "critical", service: "vote", team: "voting" }), ["voting-team"]);
        assert.deepEqual(receiversFor(file, { alertname: "VoteHighErrorRate", severity: "critical", service: "vote", team: "other" }), ["blackhole"]);
      } finally {
        other.cleanup();
      }
    });
  });

  describe("amtool template render: every notification template renders", () => {
    for (const name of ["slack.title", "slack.text", "slack.color", "slack.fallback", "email.subject", "email.text", "email.html"]) {
      it(`voteobs.${name}`, () => {
        const result = run(AMTOOL, ["template", "render", `--template.glob=${join(dir.path, "alertmanager/templates", TEMPLATE_FILE)}`, `--template.text={{ template "voteobs.${name}" . }}`]);
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stdout + result.stderr, /error|<no value>/i);
      });
    }

  });
});

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml, stringify } from "yaml";
import { dockerTopology, renderAll } from "../../render";
import { parseStackText } from "../../config/load";
import { devConfig, ROOT } from "../support/render";
import { diffRendered } from "../../tools/diff/artifacts";
import { formatMarkdown, formatText } from "../../tools/diff/format";
import { exprValueChanges } from "../../tools/diff/promql";
import { diffStacks } from "../../tools/diff/stacks";
import { fieldChanges, inlineChange } from "../../tools/diff/structure";

describe("diff building blocks", () => {
  it("names a changed number of an expression by its role", () => {
    assert.deepEqual(exprValueChanges("sum(rate(x[2m])) / sum(rate(y[2m])) > 0.05", "sum(rate(x[5m])) / sum(rate(y[5m])) > 0.07"), ["window 2m → 5m", "threshold 0.05 → 0.07"]);
    assert.deepEqual(exprValueChanges("slo:sli_error:ratio_rate5m > (14.4 * 0.001)", "slo:sli_error:ratio_rate5m > (14.4 * 0.002)"), ["value 0.001 → 0.002"], "5m inside a metric name is not a window");
    assert.equal(exprValueChanges("rate(x[5m]) > 1", "irate(x[5m]) > 1"), undefined, "a changed function is not a value change");
  });

  it("shows the changed words of a long text with context", () => {
    const before = "Tingkat error telah melampaui 5% dalam 2 menit terakhir. Kemungkinan ada masalah di service vote.";
    assert.equal(inlineChange(before, before.replace("5%", "3%")), "…t error telah melampaui {5% → 3%} dalam 2 menit terakhir.…");
    assert.equal(inlineChange("#vote-alerts", "#ops"), "#vote-alerts → #ops");
  });

  it("matches list elements by name, so a removed receiver is one line", () => {
    const a = { receivers: [{ name: "slack", channel: "#a" }, { name: "email", to: "x@y.z" }] };
    const b = { receivers: [{ name: "slack", channel: "#b" }] };
    assert.deepEqual(fieldChanges(a, b), ["receivers[name=slack].channel: #a → #b", "- receivers[name=email]: {name=email, …}"]);
  });
});

describe("semantic diff of two renders", () => {
  const render = (...overlays: Record<string, unknown>[]) => renderAll(devConfig(...overlays), dockerTopology());

  it("a threshold change is one alert with its old and new threshold", () => {
    const sections = diffRendered(render(), render({ alerts: { voteErrorRatio: { threshold: 0.03 } } }));
    const alerts = sections.find((s) => s.title === "Alerts");
    assert.equal(alerts?.items.length, 1);
    assert.equal(alerts.items[0].subject, "VoteHighErrorRate");
    assert.equal(alerts.items[0].headline, "threshold 0.05 → 0.03");
    assert.ok(!sections.some((s) => s.title === "Recording rules" || s.title === "Alertmanager" || s.title === "Prometheus scrape jobs"));
  });

  it("a `for` change names the alert and its old and new duration", () => {
    const alerts = diffRendered(render(), render({ alerts: { queue: { for: "10m" } } })).find((s) => s.title === "Alerts");
    assert.deepEqual(
      alerts?.items.map((i) => `${i.subject}: ${i.headline}`),
      ["VoteQueueBacklog: for: 5m → 10m"],
    );
  });

  it("a receiver change names the receiver and the field", () => {
    const receivers = [
      { type: "slack", name: "slack", channel: "#ops", webhookUrl: { secret: "slackWebhookUrl" }, severities: ["critical", "warning"] },
      { type: "email", name: "email", to: "vote-team@example.com", from: "alertmanager@example.com", smarthost: "smtp.example.com:587", authUsername: "alertmanager@example.com", authPassword: { secret: "smtpPassword" }, severities: ["critical", "warning"] },
    ];
    const section = diffRendered(render(), render({ alerting: { receivers } })).find((s) => s.title === "Alertmanager");
    const lines = section?.items.map((i) => `${i.subject}: ${i.details.join("; ")}`);
    assert.deepEqual(lines, ["receiver slack: slack_configs[0].channel: #vote-alerts → #ops", 'route to email: matchers: [severity="critical"] → [severity=~"critical|warning"]']);
  });

  it("a scrape setting names the job", () => {
    const section = diffRendered(render(), render({ prometheus: { jobLimits: { vote: { sampleLimit: 500 } } } })).find((s) => s.title === "Prometheus scrape jobs");
    assert.deepEqual(section?.items.map((i) => `${i.subject}: ${i.details.join("; ")}`), ["job vote: sample_limit: 10000 → 500"]);
  });
});

describe("npm run diff against a git ref", () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });

  before(() => {
    repo = mkdtempSync(join(tmpdir(), "voteobs-diff-test-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "test");
    cpSync(join(ROOT, "Pulumi.dev.yaml"), join(repo, "Pulumi.dev.yaml"));
    for (const [path, text] of Object.entries(renderAll(devConfig(), dockerTopology()))) {
      mkdirSync(dirname(join(repo, "generated/dev", path)), { recursive: true });
      writeFileSync(join(repo, "generated/dev", path), text);
    }
    git("add", "-A");
    git("commit", "-q", "-m", "base");
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it("reports nothing when the working tree renders what is committed", () => {
    const result = diffStacks({ root: repo });
    assert.equal(result.ref, "HEAD", "without a remote the default ref is HEAD");
    assert.equal(formatText(result), "Stack dev: no changes against HEAD\n");
  });

  it("shows a one-line threshold change in Pulumi.dev.yaml as one readable change", () => {
    const path = join(repo, "Pulumi.dev.yaml");
    const document = parseYaml(readFileSync(path, "utf8")) as { config: Record<string, unknown> };
    document.config["voteobs:alerts"] = { voteErrorRatio: { threshold: 0.03 } };
    writeFileSync(path, stringify(document));

    const result = diffStacks({ root: repo });
    const [dev] = result.stacks;
    assert.deepEqual(dev.config.map((c) => c.subject), ["alerts.voteErrorRatio.threshold: 0.05 → 0.03"]);
    const alerts = dev.sections.find((s) => s.title === "Alerts")!;
    assert.equal(alerts.items.length, 1);

    const text = formatText(result);
    assert.match(text, /^Stack dev \(Pulumi\.dev\.yaml\) against HEAD: 1 alert/m);
    assert.match(text, /^ {4}alerts\.voteErrorRatio\.threshold: 0\.05 → 0\.03$/m);
    assert.match(text, /^ {4}~ VoteHighErrorRate: threshold 0\.05 → 0\.03 {2}\(user-experience\.yml\)$/m);
    assert.match(text, /melampaui \{5% → 3%\} dalam/);

    const markdown = formatMarkdown(result);
    assert.match(markdown, /^<!-- voteobs-diff -->/);
    assert.match(markdown, /- changed: `VoteHighErrorRate` — `threshold 0\.05 → 0\.03`/);
  });
});

describe("a stack file's text is validated where it comes from", () => {
  it("parseStackText reads the text of another ref and names it in errors, with no file written", () => {
    const ok = parseStackText("config:\n  voteobs:alerts:\n    voteErrorRatio:\n      threshold: 0.03\n", "Pulumi.dev.yaml at origin/main");
    assert.equal(ok.config.alerts.voteErrorRatio.threshold, 0.03);
    assert.throws(() => parseStackText("config:\n  voteobs:alerts:\n    voteErrorRatio:\n      threshold: 5\n", "Pulumi.dev.yaml at origin/main"), /Pulumi\.dev\.yaml at origin\/main[\s\S]*voteErrorRatio\.threshold/);
  });
});

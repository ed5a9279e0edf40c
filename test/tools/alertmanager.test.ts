import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { slackWebhookFile, smtpPasswordFile } from "../../config/secrets";
import { renderAll } from "../../render";
import { startAlertmanager, type AlertmanagerServer } from "../../processes/alertmanager";
import { startSlackReceiver, type SlackReceiver } from "../../local/receivers/slack";
import { startSmtpReceiver, type SmtpReceiver } from "../../local/receivers/smtp";
import { toolPath } from "../../toolchain";
import { tempDir, writeFiles } from "../support/exec";
import { devConfig, topologyUnder } from "../support/render";

toolPath("alertmanager");

const SEED_TITLE = "🚨 Waspada! Tingkat Error Aplikasi Vote Tinggi! 🚨";
const SEED_BODY = "Tingkat error telah melampaui 5% dalam 2 menit terakhir. Kemungkinan ada masalah di service `vote` atau dependensinya. Mohon segera diperiksa.";
const SMTP_PASSWORD = "s3cret-from-a-file";

/**
 * The seed's alert through a real Alertmanager (Debian's prometheus-alertmanager) with the rendered
 * config and templates: the alert's annotations are taken from the rendered rule, with $value
 * filled in as Prometheus would, and posted to Alertmanager's API.
 */
describe("notifications through a real Alertmanager", () => {
  const dir = tempDir("alertmanager");
  let slack: SlackReceiver;
  let smtp: SmtpReceiver;
  let alertmanager: AlertmanagerServer;
  let annotations: Record<string, string>;
  const startsAt = new Date(Date.now() - 150_000);

  before(async () => {
    slack = await startSlackReceiver();
    smtp = await startSmtpReceiver({ auth: { user: "alertmanager@example.com", password: SMTP_PASSWORD } });
    const config = devConfig({
      alerting: {
        groupWait: "1s",
        groupInterval: "1s",
        receivers: [
          { type: "slack", name: "slack", channel: "#vote-alerts", webhookUrl: { secret: "slackWebhookUrl" } },
          {
            type: "email",
            name: "email",
            to: "vote-team@example.com",
            from: "alertmanager@example.com",
            smarthost: smtp.smarthost,
            authUsername: "alertmanager@example.com",
            authPassword: { secret: "smtpPassword" },
            requireTls: false,
            severities: ["critical"],
          },
        ],
      },
    });
    const topology = topologyUnder(dir.path);
    const files = renderAll(config, topology);
    writeFiles(dir.path, files);
    mkdirSync(topology.paths.alertmanagerSecrets, { recursive: true });
    writeFileSync(join(topology.paths.alertmanagerSecrets, slackWebhookFile("slack")), `${slack.url}\n`);
    writeFileSync(join(topology.paths.alertmanagerSecrets, smtpPasswordFile("email")), SMTP_PASSWORD);

    const rule = parse(files["prometheus/rules/user-experience.yml"]).groups[0].rules.find((r: { alert?: string }) => r.alert === "VoteHighErrorRate");
    annotations = Object.fromEntries(Object.entries(rule.annotations as Record<string, string>).map(([k, v]) => [k, v.replace("{{ $value | humanizePercentage }}", "12.5%")]));
    alertmanager = await startAlertmanager({ configFile: join(dir.path, "alertmanager/alertmanager.yml"), dataDir: join(dir.path, "am-data") });
  });

  after(async () => {
    await alertmanager?.stop();
    await slack?.close();
    await smtp?.close();
    dir.cleanup();
  });

  const post = async (endsAt?: Date) => {
    const alert = {
      labels: { alertname: "VoteHighErrorRate", severity: "critical", service: "vote", team: "voting" },
      annotations,
      startsAt: startsAt.toISOString(),
      ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
      generatorURL: "http://prometheus:9090/graph",
    };
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([alert]) });
    assert.equal(response.status, 200, await response.text());
  };

  it("Slack receives the seed's message word for word, with the live value, the start and both links", async () => {
    await post();
    const message = await slack.waitFor((m) => m.payload.attachments?.[0]?.title === SEED_TITLE, 20_000);
    const [attachment] = message.payload.attachments!;
    assert.equal(message.payload.channel, "#vote-alerts");
    assert.equal(attachment.color, "danger");
    assert.equal(attachment.title_link, `http://localhost:3000/d/voteobs-user-experience?orgId=1&var-service=vote&from=${startsAt.getTime() - 15 * 60_000}&to=now`);
    assert.ok(attachment.text!.startsWith(`${SEED_BODY}\nNilai saat ini: 12.5% permintaan gagal (5xx).`), attachment.text);
    const from = startsAt.getTime() - 15 * 60_000;
    assert.match(attachment.text!, /\*Sejak:\* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    assert.match(attachment.text!, /\*Tingkat:\* `critical` · \*Service:\* `vote`/);
    assert.ok(attachment.text!.includes(`<http://localhost:3000/d/voteobs-user-experience?orgId=1&var-service=vote&from=${from}&to=now|📊 Dasbor>`), attachment.text);
    const logs = /<(http:\/\/localhost:3000\/explore\?[^|>]+)\|📜 Log di Loki>/.exec(attachment.text!);
    assert.ok(logs, attachment.text);
    const panes = JSON.parse(new URL(logs[1]).searchParams.get("panes")!);
    assert.deepEqual(panes.a.range, { from: String(from), to: "now" }, "Explore opens at the alert's own time");
    assert.equal(panes.a.queries[0].expr, '{service="vote", level=~"error|fatal"}');
    assert.ok(attachment.text!.includes("<https://github.com/voteobs/voteobs/blob/main/RUNBOOK.md#votehigherrorrate|📖 Runbook>"));
  });

  it("the email carries the same content as HTML and text, sent with the password from its file", async () => {
    const email = await smtp.waitFor((e) => e.subject === SEED_TITLE, 20_000);
    assert.deepEqual(email.to, ["vote-team@example.com"]);
    assert.equal(email.user, "alertmanager@example.com");
    assert.ok(email.text.includes(`${SEED_BODY}\nNilai saat ini: 12.5% permintaan gagal (5xx).`), email.text);
    assert.match(email.text, /Dasbor: http:\/\/localhost:3000\/d\/voteobs-user-experience\?orgId=1&var-service=vote&from=\d+&to=now/);
    assert.ok(email.html.includes(SEED_BODY), email.html);
    assert.ok(email.html.includes(SEED_TITLE));
    // html/template escapes the annotation's "&" but not the template's own: both decode to the same URL.
    const hrefs = [...email.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, "&").replace(/&#43;/g, "+"));
    assert.ok(hrefs.some((href) => /^http:\/\/localhost:3000\/d\/voteobs-user-experience\?orgId=1&var-service=vote&from=\d+&to=now$/.test(href)), hrefs.join("\n"));
    assert.ok(hrefs.some((href) => href.startsWith("http://localhost:3000/explore?schemaVersion=1&orgId=1&panes=")), hrefs.join("\n"));
  });

  it("when the alert resolves, Slack and email say so", async () => {
    const endsAt = new Date(Date.now() - 1000);
    await post(endsAt);
    const message = await slack.waitFor((m) => (m.payload.attachments?.[0]?.title ?? "").startsWith("✅ [TERATASI]"), 20_000);
    const [attachment] = message.payload.attachments!;
    assert.equal(attachment.title, `✅ [TERATASI] ${SEED_TITLE}`);
    assert.equal(attachment.color, "good");
    assert.match(attachment.text!, /^Sudah teratasi\. Alert ini menyala dari .+ UTC sampai .+ UTC\./);
    assert.match(attachment.text!, new RegExp(`&from=${startsAt.getTime() - 15 * 60_000}&to=${endsAt.getTime() + 15 * 60_000}\\|`));
    const email = await smtp.waitFor((e) => e.subject === `✅ [TERATASI] ${SEED_TITLE}`, 20_000);
    assert.match(email.text, /Sudah teratasi\./);
  });

  it("the rendered config holds no secret: Alertmanager read both from files", () => {
    const text = readFileSync(join(dir.path, "alertmanager/alertmanager.yml"), "utf8");
    assert.ok(!text.includes(slack.url));
    assert.ok(!text.includes(SMTP_PASSWORD));
  });
});

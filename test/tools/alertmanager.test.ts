import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { slackWebhookFile, smtpPasswordFile } from "../../config/secrets";
import { renderAll } from "../../render";
import { startAlertmanager, type AlertmanagerServer } from "../../processes/alertmanager";
import { loadRulesOnceAlertmanagerKnown, startPrometheus } from "../../processes/prometheus";
import { getFreePort } from "../../processes/ports";
import { startWebhookReceiver } from "../../local/receivers/webhook";
import { durationSeconds } from "../../config/duration";
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

/**
 * Incidents through a real Alertmanager with the rendered config: the alerts Prometheus fires
 * for them (as the promtool tests of test/promtool/incidents.test.yml show), with the labels and
 * annotations of the rendered rules, posted as Prometheus posts them. Each scenario gets its own
 * Alertmanager, so one cannot inhibit or group another's alerts.
 */
describe("incidents through a real Alertmanager: who gets told", () => {
  interface Scenario {
    alertmanager: AlertmanagerServer;
    slack: SlackReceiver;
    dir: { path: string; cleanup: () => void };
    files: Record<string, string>;
  }
  const GROUP_WAIT_S = 3;
  const running: Scenario[] = [];
  after(async () => {
    for (const s of running) {
      await s.alertmanager.stop();
      await s.slack.close();
      s.dir.cleanup();
    }
  });

  /** An Alertmanager with the dev stack's routes and inhibitions, Slack only, group_wait shortened. */
  async function scenario(name: string): Promise<Scenario> {
    const dir = tempDir(`am-${name}`);
    const slack = await startSlackReceiver();
    const config = devConfig({ alerting: { groupWait: `${GROUP_WAIT_S}s`, groupInterval: "1s", receivers: [{ type: "slack", name: "slack", channel: "#vote-alerts", webhookUrl: { secret: "slackWebhookUrl" } }] } });
    const topology = topologyUnder(dir.path);
    const files = renderAll(config, topology);
    writeFiles(dir.path, files);
    mkdirSync(topology.paths.alertmanagerSecrets, { recursive: true });
    writeFileSync(join(topology.paths.alertmanagerSecrets, slackWebhookFile("slack")), `${slack.url}\n`);
    const alertmanager = await startAlertmanager({ configFile: join(dir.path, "alertmanager/alertmanager.yml"), dataDir: join(dir.path, "am-data") });
    const s = { alertmanager, slack, dir, files };
    running.push(s);
    return s;
  }

  /** One firing alert as Prometheus sends it: the rendered rule's labels and annotations, the series' labels, `$value` filled in. */
  function firing(s: Scenario, file: string, alertname: string, ruleLabels: Record<string, string>, series: Record<string, string>, value: string) {
    const rules = parse(s.files[`prometheus/rules/${file}.yml`]).groups.flatMap((g: { rules: unknown[] }) => g.rules) as Array<{ alert?: string; labels: Record<string, string>; annotations: Record<string, string> }>;
    const rule = rules.find((r) => r.alert === alertname && Object.entries(ruleLabels).every(([k, v]) => r.labels[k] === v));
    assert.ok(rule, `no rendered ${alertname} with ${JSON.stringify(ruleLabels)}`);
    const labels = { alertname, ...series, ...rule.labels };
    const fill = (text: string) => text.replace(/\{\{ \$value[^}]*\}\}/g, value).replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l as keyof typeof labels] ?? "");
    const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)]));
    return { labels, annotations, startsAt: new Date(Date.now() - 60_000).toISOString(), generatorURL: "http://prometheus:9090/graph" };
  }

  async function post(s: Scenario, alerts: unknown[]): Promise<void> {
    const response = await fetch(`${s.alertmanager.url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
    assert.equal(response.status, 200, await response.text());
  }

  /** What Alertmanager holds for an alert: active, or suppressed and by which inhibition. */
  async function stateOf(s: Scenario, alertname: string): Promise<string[]> {
    const alerts = (await (await fetch(`${s.alertmanager.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
    return alerts.filter((a) => a.labels.alertname === alertname).map((a) => a.status.state);
  }

  const settle = () => new Promise((done) => setTimeout(done, (GROUP_WAIT_S + 3) * 1000));
  const titles = (s: Scenario) => s.slack.messages.map((m) => m.payload.attachments?.[0]?.title ?? "");

  it("one of two vote targets down and the other answering 10% 5xx: Slack gets the seed's message; the down target only warns", async () => {
    const s = await scenario("replica-down");
    await post(s, [
      firing(s, "infrastructure", "TargetDown", {}, { job: "vote", service: "vote" }, "50%"),
      firing(s, "user-experience", "VoteHighErrorRate", {}, {}, "10%"),
    ]);
    const seed = await s.slack.waitFor((m) => m.payload.attachments?.[0]?.title === SEED_TITLE, 20_000);
    assert.ok(seed.payload.attachments![0].text!.startsWith(`${SEED_BODY}\nNilai saat ini: 10% permintaan gagal (5xx).`), seed.payload.attachments![0].text);
    await s.slack.waitFor((m) => (m.payload.attachments?.[0]?.title ?? "").startsWith("Sebagian target vote"), 20_000);
    assert.deepEqual(await stateOf(s, "VoteHighErrorRate"), ["active"], "nothing silences the seed's alert");
    assert.deepEqual(await stateOf(s, "TargetDown"), ["active"], "the seed's page does not hide the down target either");
  });

  it("30% errors: the seed's alert and both page pairs of the SLO fire; Slack gets exactly one post, the seed's, and after the resolution no burn page", async () => {
    const s = await scenario("one-page");
    // In the order Prometheus sends them: the inhibitor as soon as the seed's alert is pending,
    // the burn pages (their condition often holds seconds before the seed's), then the seed's page.
    await post(s, [firing(s, "slo", "VoteErrorBudgetBurnInhibitor", {}, { service: "vote" }, "1")]);
    await post(s, [firing(s, "slo", "VoteErrorBudgetBurn", { long_window: "1h" }, {}, "30%"), firing(s, "slo", "VoteErrorBudgetBurn", { long_window: "6h" }, {}, "30%")]);
    await new Promise((done) => setTimeout(done, 1000));
    const seed = firing(s, "user-experience", "VoteHighErrorRate", {}, {}, "30%");
    await post(s, [seed]);
    await s.slack.waitFor((m) => m.payload.attachments?.[0]?.title === SEED_TITLE, 20_000);
    await settle();
    assert.deepEqual(titles(s), [SEED_TITLE], "one post for the incident, and it is the seed's");
    assert.deepEqual(await stateOf(s, "VoteErrorBudgetBurn"), ["suppressed", "suppressed"], "the burn pages are inhibited");

    // The fault is over: the seed's alert resolves, while the burn pages' short windows still hold the incident.
    await post(s, [{ ...seed, endsAt: new Date().toISOString() }]);
    await s.slack.waitFor((m) => m.payload.attachments?.[0]?.title === `✅ [TERATASI] ${SEED_TITLE}`, 20_000);
    await settle();
    assert.deepEqual(titles(s), [SEED_TITLE, `✅ [TERATASI] ${SEED_TITLE}`], "the resolution, and no burn page after it");
    assert.deepEqual(await stateOf(s, "VoteErrorBudgetBurn"), ["suppressed", "suppressed"]);
  });

  it("a slow burn (2% for hours, under the seed's 5%): no seed's alert, so the SLO page is sent", async () => {
    const s = await scenario("slow-burn");
    // The page pairs fire after slo.pageFor; the ticket pairs an hour later (slo.ticketFor).
    await post(s, [firing(s, "slo", "VoteErrorBudgetBurn", { long_window: "1h" }, {}, "2%"), firing(s, "slo", "VoteErrorBudgetBurn", { long_window: "6h" }, {}, "2%")]);
    await new Promise((done) => setTimeout(done, 1000));
    await post(s, [firing(s, "slo", "VoteErrorBudgetBurn", { long_window: "1d" }, {}, "2%"), firing(s, "slo", "VoteErrorBudgetBurn", { long_window: "3d" }, {}, "2%")]);
    const page = await s.slack.waitFor((m) => (m.payload.attachments?.[0]?.title ?? "").startsWith("Anggaran error SLO vote terbakar sangat cepat"), 20_000);
    await settle();
    assert.equal(page.payload.attachments![0].color, "danger");
    const texts = s.slack.messages.map((m) => m.payload.attachments?.[0]?.text ?? "").join("\n");
    assert.ok(texts.includes("Rasio error `vote` 2% selama 1 jam terakhir"), texts);
    assert.ok(texts.includes("Rasio error `vote` 2% selama 6 jam terakhir"), texts);
    // Alertmanager flushes a new group at once for an alert older than group_wait (every alert that
    // waited its `for`), so the two page pairs may come as one post or as two; the tickets never do.
    assert.ok(titles(s).length > 0 && titles(s).every((t) => /^Anggaran error SLO vote terbakar sangat cepat( \(2\))?$/.test(t)), titles(s).join("\n"));
    assert.deepEqual(await stateOf(s, "VoteErrorBudgetBurn").then((states) => states.sort()), ["active", "active", "suppressed", "suppressed"], "the ticket pairs are silenced by the page pairs");
  });

  it("the worker has no target up: ServiceDown pages, and the stalled queue behind it is silenced", async () => {
    const s = await scenario("worker-down");
    // ServiceDown pages after serviceDown.for; the backlog and TargetDown (10m) follow it.
    await post(s, [firing(s, "infrastructure", "ServiceDown", {}, { service: "worker" }, "0")]);
    await new Promise((done) => setTimeout(done, 1000));
    await post(s, [
      firing(s, "infrastructure", "TargetDown", {}, { job: "worker", service: "worker" }, "100%"),
      firing(s, "internal-health", "WorkerNotConsuming", {}, {}, "250"),
      firing(s, "internal-health", "VoteQueueBacklog", {}, {}, "250"),
    ]);
    await s.slack.waitFor((m) => (m.payload.attachments?.[0]?.title ?? "").startsWith("Service worker mati"), 20_000);
    await settle();
    assert.deepEqual(titles(s), ["Service worker mati atau tidak terpantau: tidak ada target yang menjawab"]);
    for (const consequence of ["TargetDown", "WorkerNotConsuming", "VoteQueueBacklog"]) assert.deepEqual(await stateOf(s, consequence), ["suppressed"], consequence);
  });
});

/**
 * Prometheus evaluates its rules from the moment it starts, but learns its Alertmanagers a moment
 * later (service discovery, even for a static address): an alert evaluated in between is handed to
 * no Alertmanager, dropped without a trace, and sent again only after the resend delay. The local
 * target therefore loads the rule files only once Prometheus knows its Alertmanager
 * (loadRulesOnceAlertmanagerKnown): the dead man's switch hears the very first Watchdog.
 */
describe("the first Watchdog reaches the dead man's switch", () => {
  const dir = tempDir("first-watchdog");
  after(() => dir.cleanup());

  it("Prometheus holds no rule before it knows its Alertmanager, so the first Watchdog evaluation is delivered", async () => {
    const hook = await startWebhookReceiver();
    const config = devConfig({ prometheus: { scrapeInterval: "1s", scrapeTimeout: "1s", evaluationInterval: "1s" }, alerting: { deadMansSwitchUrl: hook.url } });
    const resendDelay = "4s";
    const files = renderAll(config, topologyUnder(dir.path));
    writeFiles(dir.path, { "alertmanager/alertmanager.yml": files["alertmanager/alertmanager.yml"] });
    const amPort = await getFreePort();
    const rules = join(dir.path, "rules/meta.yml");
    writeFileSync(
      join(dir.path, "prometheus.yml"),
      `global:\n  evaluation_interval: ${config.prometheus.evaluationInterval}\nrule_files: [${JSON.stringify(rules)}]\nalerting:\n  alertmanagers:\n    - api_version: v2\n      static_configs:\n        - targets: ["127.0.0.1:${amPort}"]\n`,
    );
    const alertmanager = await startAlertmanager({ configFile: join(dir.path, "alertmanager/alertmanager.yml"), dataDir: join(dir.path, "am-data"), port: amPort });
    const prometheus = await startPrometheus({ configFile: join(dir.path, "prometheus.yml"), dataDir: join(dir.path, "prom-data"), alertResendDelay: resendDelay });
    try {
      // Watch both from the moment Prometheus answers: never any rule while no Alertmanager is known.
      const seen: Array<{ groups: number; alertmanagers: number }> = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const [groups, alertmanagers] = await Promise.all([
            fetch(`${prometheus.url}/api/v1/rules`).then(async (r) => ((await r.json()) as { data: { groups: unknown[] } }).data.groups.length),
            prometheus.alertmanagers().then((a) => a.length),
          ]);
          seen.push({ groups, alertmanagers });
          if (groups > 0) return;
        }
      })();
      await loadRulesOnceAlertmanagerKnown(prometheus, () => writeFiles(dir.path, { "rules/meta.yml": files["prometheus/rules/meta.yml"] }));
      await watcher;
      watching = false;
      assert.ok(seen.length > 1, "watched Prometheus before its rules were loaded");
      assert.deepEqual(
        seen.filter((s) => s.groups > 0 && s.alertmanagers === 0),
        [],
        "rules loaded while Prometheus knew no Alertmanager",
      );

      const call = await hook.waitFor((c) => c.payload.commonLabels.alertname === "Watchdog", 20_000);
      const alerts = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; activeAt: string }> } };
      const firstEvaluation = Date.parse(alerts.data.alerts.find((a) => a.labels.alertname === "Watchdog")!.activeAt);
      // A dropped first send is repeated only at the first evaluation at least the resend delay after it.
      assert.ok(call.receivedAt.getTime() - firstEvaluation < durationSeconds(resendDelay as never) * 1000, `Watchdog heard ${call.receivedAt.getTime() - firstEvaluation} ms after its first evaluation`);
    } finally {
      await prometheus.stop();
      await alertmanager.stop();
      await hook.close();
    }
  });
});

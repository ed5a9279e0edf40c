import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { durationWords } from "../../alert-rules/i18n";
import { durationSeconds } from "../../config/duration";
import { alertResendDelay } from "../../local/profiles";
import type { SlackMessage } from "../../local/receivers/slack";
import { startTraffic, type Traffic } from "../../local/traffic";
import { ABSENT_COMPONENTS } from "../../local/topology";
import { errorRatio, requestRate } from "../../queries/http";
import { requireLocalPackages, setFaultRatio } from "./support/app";
import { dashboardQueries, withGrafanaVariables } from "./support/dashboards";
import { hasSyntaxError, onlyOfAbsent, unmatchedSelectors, vectorSelectors } from "./support/live-queries";
import { emailsAbout, slackAbout, slackText, slackTitle, titleMatches } from "./support/notifications";
import { alertRule, renderedRules } from "./support/rules";
import { report, startE2eStack, type E2eStack } from "./support/stack";
import { secondsSince, sleep, waitUntil } from "./support/wait";

requireLocalPackages();

const SEED_TITLE = "🚨 Waspada! Tingkat Error Aplikasi Vote Tinggi! 🚨";
const SEED_BODY = "Tingkat error telah melampaui 5% dalam 2 menit terakhir. Kemungkinan ada masalah di service `vote` atau dependensinya. Mohon segera diperiksa.";
const SEED_ERROR_RATIO = 0.3;

/**
 * The alert path on the local target with the time-scaled profile, under steady traffic: the
 * seed's scenario end to end, no false alarm, receivers failing, Watchdog, and every query of
 * the dashboards and rules against the live Prometheus.
 */
describe("alerting on the local target", { timeout: 240_000 }, () => {
  let e2e: E2eStack;
  let traffic: Traffic;
  let began: number;
  const stack = () => e2e.stack;
  const cfg = () => e2e.stack.config;
  const seconds = (d: string) => durationSeconds(d as never);
  const seedFiring = () => slackAbout(stack().receivers.slack.messages, SEED_TITLE, "firing");
  const seedResolved = () => slackAbout(stack().receivers.slack.messages, SEED_TITLE, "resolved");
  const setFault = (ratio: number) => setFaultRatio(stack().urls.vote, ratio);
  const voteErrorRatio = () => errorRatio("vote", cfg().alerts.voteErrorRatio.window);
  /** Waits for the n-th resolved seed message, after the fault was turned off. */
  const resolvedCount = (n: number, timeoutMs = 60_000) => waitUntil(`resolved message #${n}`, () => seedResolved().length >= n && seedResolved()[n - 1], timeoutMs);
  /**
   * Both receivers heard the resolution. A drill must wait for this before the next one: an email
   * receiver that missed a resolution still has the alert as notified, and Alertmanager rightly
   * sends nothing for it again until repeat_interval.
   */
  const resolvedEverywhere = async (n: number) => {
    await resolvedCount(n);
    await waitUntil(`resolved email #${n}`, () => emailsAbout(stack().receivers.smtp.emails, SEED_TITLE, "resolved")[n - 1], 60_000);
  };

  before(async () => {
    began = Date.now();
    e2e = await startE2eStack("alerting");
    traffic = startTraffic({ voteUrl: stack().urls.vote, resultUrl: stack().urls.result, votesPerSecond: 40, pageViewsPerSecond: 10 });
    // A full error-ratio window of traffic before any drill, so the ratio means what it says.
    await sleep(seconds(cfg().alerts.voteErrorRatio.window) * 1000 + 2_000);
    await waitUntil("vote traffic in Prometheus", async () => ((await e2e.monitoring.value(requestRate("vote", cfg().alerts.voteErrorRatio.window))) ?? 0) > 10, 15_000);
  }, { timeout: 90_000 });

  after(async () => {
    await traffic?.stop();
    await e2e?.stop();
    if (traffic) report(`traffic: votes ${JSON.stringify(traffic.counts().votes)}, page views ${JSON.stringify(traffic.counts().pages)}`);
    if (began) report(`alerting drills took ${secondsSince(began)}s in all`);
  }, { timeout: 60_000 });

  it("Watchdog reaches the dead man's switch route, and only it, from its very first evaluation", async () => {
    const call = await stack().receivers.deadMansSwitch.waitFor((c) => c.payload.commonLabels.alertname === "Watchdog", 20_000);
    assert.equal(call.payload.receiver, "deadmansswitch");
    const [watchdog] = await e2e.monitoring.alertmanagerAlerts("Watchdog");
    assert.deepEqual(
      watchdog.receivers.map((r) => r.name),
      ["deadmansswitch"],
    );
    // Prometheus sends a firing alert at its first evaluation, then again only after the resend
    // delay: heard sooner than that after the first evaluation, the first send was not lost.
    const [inPrometheus] = await e2e.monitoring.prometheusAlerts("Watchdog");
    const afterFirstEvaluation = (call.receivedAt.getTime() - Date.parse(inPrometheus.activeAt)) / 1000;
    const resend = seconds(alertResendDelay(cfg()));
    report(
      `Watchdog at the dead man's switch ${secondsSince(began, call.receivedAt.getTime())}s after start, ${afterFirstEvaluation.toFixed(2)}s after its first evaluation ` +
        `(a lost first send would be repeated only after the resend delay, ${alertResendDelay(cfg())}); Alertmanager routes it to [${watchdog.receivers.map((r) => r.name).join(", ")}] only`,
    );
    assert.ok(afterFirstEvaluation < resend, `Watchdog heard ${afterFirstEvaluation}s after its first evaluation: the first send was lost`);
  });

  it("2% errors for longer than `for` send nothing", async () => {
    const a = cfg().alerts.voteErrorRatio;
    const hold = seconds(a.window) + seconds(a.for) + 10;
    const slackBefore = stack().receivers.slack.messages.length;
    const emailBefore = stack().receivers.smtp.emails.length;
    await setFault(0.02);
    await sleep(hold * 1000);
    const peak = await e2e.monitoring.value(`max_over_time((${voteErrorRatio()})[${hold - seconds(a.window)}s:1s])`);
    const seedStates = await e2e.monitoring.query(`max_over_time(ALERTS{alertname="VoteHighErrorRate"}[${hold}s])`);
    const budgetBurn = await e2e.monitoring.query(`max_over_time(ALERTS{alertname="VoteErrorBudgetBurn"}[${hold}s])`);
    await setFault(0);
    const sent = [...stack().receivers.slack.messages.slice(slackBefore).map(slackTitle), ...stack().receivers.smtp.emails.slice(emailBefore).map((e) => e.subject)];
    report(
      `2% injected for ${hold}s (for ${a.for}, window ${a.window}): error ratio peaked at ${((peak ?? 0) * 100).toFixed(2)}% (threshold ${a.threshold * 100}%); ` +
        `VoteHighErrorRate states seen: [${seedStates.map((s) => s.labels.alertstate).join(", ")}]; notifications: ${sent.length}` +
        (budgetBurn.length > 0 ? `; VoteErrorBudgetBurn ${budgetBurn.map((s) => s.labels.alertstate).join("/")} (2% burns a ${cfg().alerts.slo.objective * 100}% budget ${Math.round(0.02 / (1 - cfg().alerts.slo.objective))}×; its for is ${cfg().alerts.slo.pageFor} in this profile)` : ""),
    );
    assert.ok(peak !== undefined && peak < a.threshold, `error ratio peaked at ${peak}`);
    assert.deepEqual(seedStates, [], "VoteHighErrorRate never even went pending");
    assert.deepEqual(sent, [], "nothing was sent to Slack or email");
  });

  describe("the seed's scenario", () => {
    let faultStart = 0;
    let firing: SlackMessage;

    it("30% errors fire VoteHighErrorRate; Slack gets the seed's message word for word, with the live value and links, within the bound", async () => {
      const a = cfg().alerts.voteErrorRatio;
      faultStart = Date.now();
      await setFault(SEED_ERROR_RATIO);
      firing = await stack().receivers.slack.waitFor((m) => titleMatches(slackTitle(m), SEED_TITLE, "firing"), 60_000);
      const toSlack = secondsSince(faultStart, firing.receivedAt.getTime());
      const [inPrometheus] = await e2e.monitoring.prometheusAlerts("VoteHighErrorRate");
      const [inAlertmanager] = await e2e.monitoring.alertmanagerAlerts("VoteHighErrorRate");
      const p = cfg().prometheus;
      const bound = seconds(a.for) + seconds(p.scrapeInterval) + seconds(p.evaluationInterval) + seconds(cfg().alerting.groupWait);
      // The windowed ratio needs this long to pass the threshold at the injected ratio.
      const crossing = (seconds(a.window) * a.threshold) / SEED_ERROR_RATIO;
      report(
        `time to alert: fault start → Slack ${toSlack}s (condition true after ${secondsSince(faultStart, Date.parse(inPrometheus.activeAt))}s, ` +
          `then for ${a.for}); bound for + scrape + evaluation + group_wait = ${a.for} + ${p.scrapeInterval} + ${p.evaluationInterval} + ${cfg().alerting.groupWait} = ${bound}s, ` +
          `+ ${crossing.toFixed(1)}s for the ${a.window} window to pass ${a.threshold * 100}% at ${SEED_ERROR_RATIO * 100}% errors`,
      );
      assert.ok(toSlack <= bound + crossing + 2, `Slack after ${toSlack}s, bound ${bound}s + ${crossing}s window fill + 2s delivery`);

      const [attachment] = firing.payload.attachments!;
      assert.equal(firing.payload.channel, "#vote-alerts");
      assert.equal(attachment.title, SEED_TITLE);
      assert.equal(attachment.color, "danger");
      const body = SEED_BODY.replace("2 menit", durationWords(a.window, "id"));
      const text = slackText(firing);
      assert.ok(text.startsWith(`${body}\nNilai saat ini: `), text);
      const live = /^Nilai saat ini: (\d+(?:\.\d+)?)% permintaan gagal \(5xx\)\.$/m.exec(text);
      assert.ok(live, text);
      assert.ok(Number(live[1]) > a.threshold * 100, `live value ${live[1]}%`);
      report(`Slack text: "${text.split("\n").slice(0, 2).join(" ")}"`);

      const from = Date.parse(inAlertmanager.startsAt) - 15 * 60_000;
      assert.match(text, /\*Tingkat:\* `critical` · \*Service:\* `vote`/);
      assert.ok(text.includes(`<http://localhost:3000/d/voteobs-user-experience?orgId=1&var-service=vote&from=${from}&to=now|📊 Dasbor>`), text);
      const logs = /<(http:\/\/localhost:3000\/explore\?[^|>]+)\|📜 Log di Loki>/.exec(text);
      assert.ok(logs, text);
      const panes = JSON.parse(new URL(logs[1]).searchParams.get("panes")!);
      assert.deepEqual(panes.a.range, { from: String(from), to: "now" });
      assert.equal(panes.a.queries[0].expr, '{service="vote", level=~"error|fatal"}');
      assert.ok(text.includes("<https://github.com/voteobs/voteobs/blob/main/RUNBOOK.md#votehigherrorrate|📖 Runbook>"), text);
    });

    it("the email arrives with the same content", async () => {
      const email = await stack().receivers.smtp.waitFor((e) => titleMatches(e.subject, SEED_TITLE, "firing"), 30_000);
      const slackLines = slackText(firing).split("\n").slice(0, 2).join("\n");
      assert.deepEqual(email.to, ["vote-team@example.com"]);
      assert.equal(email.user, "alertmanager@example.com", "logged in with the password from its secret file");
      assert.ok(email.text.includes(slackLines), `${email.text}\n--- expected ---\n${slackLines}`);
      assert.ok(email.html.includes(SEED_TITLE));
      assert.match(email.text, /Dasbor: http:\/\/localhost:3000\/d\/voteobs-user-experience\?orgId=1&var-service=vote&from=\d+&to=now/);
      report(`email "${email.subject}" ${secondsSince(faultStart, email.receivedAt.getTime())}s after the fault, same description and value as Slack`);
    });

    it("Alertmanager restarted while the alert fires sends no second page (its notification log survives in the data dir)", async () => {
      // Delivery is at-least-once: a notification still in flight when Alertmanager stops is not
      // in its log yet and is sent again. Once a group interval has passed, both are logged.
      await sleep(seconds(cfg().alerting.groupInterval) * 1000 + 1_000);
      const restartAt = Date.now();
      await stack().alertmanager.restart();
      const relearned = await waitUntil("Alertmanager to hear of VoteHighErrorRate again", async () => (await e2e.monitoring.alertmanagerAlerts("VoteHighErrorRate")).length > 0, 30_000);
      const knownAfter = secondsSince(restartAt);
      const g = cfg().alerting;
      await sleep((seconds(g.groupWait) + 3 * seconds(g.groupInterval)) * 1000 + 2_000);
      const emails = emailsAbout(stack().receivers.smtp.emails, SEED_TITLE, "firing");
      report(`Alertmanager restarted (SIGTERM); the alert was back in it after ${knownAfter}s (Prometheus re-sends firing alerts every ${alertResendDelay(cfg())}); ${secondsSince(restartAt)}s later: ${seedFiring().length} Slack and ${emails.length} email for the firing alert`);
      assert.ok(relearned);
      assert.equal(seedFiring().length, 1, "one Slack page");
      assert.equal(emails.length, 1, "one email");
    });

    it("after the fault stops, the resolved message arrives", async () => {
      const stopAt = Date.now();
      await setFault(0);
      const resolved = await resolvedCount(1);
      assert.equal(resolved.payload.attachments![0].color, "good");
      assert.match(slackText(resolved), /^Sudah teratasi\. Alert ini menyala dari .+ UTC sampai .+ UTC\./);
      const email = await stack().receivers.smtp.waitFor((e) => titleMatches(e.subject, SEED_TITLE, "resolved"), 30_000);
      assert.match(email.text, /Sudah teratasi\./);
      report(`fault stop → resolved in Slack ${secondsSince(stopAt, resolved.receivedAt.getTime())}s, by email ${secondsSince(stopAt, email.receivedAt.getTime())}s`);
    });
  });

  it("Slack answering 500 for a while: the notification is retried and delivered once it recovers", async () => {
    const slack = stack().receivers.slack;
    const rejectedBefore = slack.rejected;
    slack.fail();
    try {
      await setFault(SEED_ERROR_RATIO);
      const failingFrom = Date.now();
      await waitUntil("two Slack attempts answered 500", () => slack.rejected >= rejectedBefore + 2, 60_000);
      await sleep(3_000);
      assert.equal(seedFiring().length, 1, "nothing delivered while failing");
      slack.recover();
      const recoveredAt = Date.now();
      const delivered = await waitUntil("the page after Slack recovered", () => seedFiring().length === 2 && seedFiring()[1], 30_000);
      await sleep(3_000);
      report(`Slack answered 500 to ${slack.rejected - rejectedBefore} attempts over ${secondsSince(failingFrom, recoveredAt)}s; delivered ${secondsSince(recoveredAt, delivered.receivedAt.getTime())}s after it recovered; ${seedFiring().length - 1} page for this firing`);
      assert.equal(seedFiring().length, 2, "delivered once, not once per retry");
    } finally {
      slack.recover();
      await setFault(0);
    }
    await resolvedEverywhere(2);
  });

  it("SMTP down: Slack is still delivered, and the email follows when the mail server is back", async () => {
    const smtp = stack().receivers.smtp;
    const emailsBefore = emailsAbout(smtp.emails, SEED_TITLE, "firing").length;
    await smtp.down();
    try {
      const faultAt = Date.now();
      await setFault(SEED_ERROR_RATIO);
      const page = await waitUntil("the Slack page while SMTP is down", () => seedFiring().length === 3 && seedFiring()[2], 60_000);
      const failures = await waitUntil(
        "Alertmanager to count a failed email",
        async () => {
          const failed = (await e2e.monitoring.value(`sum(alertmanager_notifications_failed_total{integration="email"})`)) ?? 0;
          return failed > 0 ? failed : undefined;
        },
        20_000,
      );
      assert.equal(emailsAbout(smtp.emails, SEED_TITLE, "firing").length, emailsBefore, "no email while the mail server is down");
      await smtp.up();
      const upAt = Date.now();
      const email = await waitUntil("the email once SMTP is back", () => emailsAbout(smtp.emails, SEED_TITLE, "firing")[emailsBefore], 30_000);
      report(`SMTP down: Slack page ${secondsSince(faultAt, page.receivedAt.getTime())}s after the fault, ${failures} failed email attempt(s) counted; email delivered ${secondsSince(upAt, email.receivedAt.getTime())}s after SMTP came back`);
    } finally {
      await smtp.up().catch(() => undefined);
      await setFault(0);
    }
    await resolvedEverywhere(3);
  });

  it("every dashboard query and every rule expression parses and finds its metrics in the live Prometheus", async () => {
    const files = stack().files;
    const end = Date.now();
    const lookback = `${Math.ceil((end - began) / 1000) + 60}s`;
    const absent = [...ABSENT_COMPONENTS] as string[];
    const panels = dashboardQueries(files);
    const rules = renderedRules(files).map((r) => ({ where: `${r.alert ?? r.record} (${r.file.replace("prometheus/rules/", "")})`, expr: r.expr }));
    const checks = [
      ...panels.filter((q) => q.datasource === "prometheus").map((q) => ({ where: `${q.dashboard} / ${q.where}`, expr: withGrafanaVariables(q.expr) })),
      ...rules,
    ];
    const skippedLoki = panels.filter((q) => q.datasource === "loki").map((q) => `${q.dashboard} / ${q.where}`);
    const cache = new Map<string, boolean>();
    const failures: string[] = [];
    const empty: string[] = [];
    const absentOnly: string[] = [];
    let withData = 0;
    for (const check of checks) {
      if (hasSyntaxError(check.expr)) failures.push(`${check.where}: does not parse: ${check.expr}`);
      const selectors = vectorSelectors(check.expr);
      if (selectors.length > 0 && selectors.every((s) => onlyOfAbsent(s, absent))) {
        absentOnly.push(check.where);
        continue;
      }
      let data: number;
      try {
        data = (await e2e.monitoring.queryRange(check.expr, began, end, 2)).length;
      } catch (error) {
        failures.push(`${check.where}: Prometheus refused it: ${(error as Error).message}`);
        continue;
      }
      failures.push(...(await unmatchedSelectors(e2e.monitoring, check.expr, lookback, absent, cache)).map((p) => `${check.where}: ${p}`));
      if (data > 0) withData++;
      else empty.push(check.where);
    }
    report(
      `${checks.length} PromQL queries (${panels.length - skippedLoki.length} dashboard, ${rules.length} rule): ${withData} returned data during the drills, ` +
        `${empty.length} empty but with every selector matching live series, ${absentOnly.length} skipped (only series of ${absent.join("/")}), ${failures.length} failures`,
    );
    if (panels.length === 0) report("no dashboard rendered yet: only rule expressions were checked");
    if (empty.length > 0) report(`empty over the run (condition never met): ${empty.join("; ")}`);
    if (absentOnly.length > 0) report(`skipped, metrics of components not run locally: ${absentOnly.join("; ")}`);
    if (skippedLoki.length > 0) report(`skipped, LogQL (no Loki locally): ${skippedLoki.length} panel queries`);
    assert.deepEqual(failures, []);
  });

  it("no human receiver ever got Watchdog or an inhibitor, and the dead man's switch kept hearing Watchdog", () => {
    const plumbing = ["Watchdog", "InfoInhibitor", "VoteErrorBudgetBurnInhibitor"].map((name) => alertRule(stack().files, name).annotations.summary);
    const titles = [...stack().receivers.slack.messages.map(slackTitle), ...stack().receivers.smtp.emails.map((e) => e.subject)];
    assert.deepEqual(
      titles.filter((t) => plumbing.some((summary) => t.includes(summary))),
      [],
    );
    const calls = stack().receivers.deadMansSwitch.calls;
    assert.ok(calls.every((c) => c.payload.receiver === "deadmansswitch" && c.payload.alerts.every((x) => x.labels.alertname === "Watchdog")));
    report(`dead man's switch: ${calls.length} Watchdog call(s) over ${secondsSince(began)}s; human receivers: ${titles.length} notifications, none of them Watchdog or an inhibitor`);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { durationSeconds } from "../../config/duration";
import { startTraffic, type Traffic } from "../../local/traffic";
import { queueDepth } from "../../queries/queue";
import { postVoteStatus, requireLocalPackages } from "./support/app";
import { RESOLVED_PREFIX, slackAbout, slackServices, slackTitle } from "./support/notifications";
import { alertRule } from "./support/rules";
import { report, startE2eStack, type E2eStack } from "./support/stack";
import { storedVotes, votesInQueue } from "./support/stores";
import { secondsSince, sleep, waitUntil } from "./support/wait";

requireLocalPackages();

/**
 * Real faults on the local target with the time-scaled profile: a data store stopped, the worker
 * stopped under traffic, a crash-looping service, Prometheus killed. Every acknowledged vote is
 * checked against Postgres, and no process is left behind.
 */
describe("faults on the local target", { timeout: 240_000 }, () => {
  let e2e: E2eStack;
  let traffic: Traffic | undefined;
  let began: number;
  const stack = () => e2e.stack;
  const cfg = () => e2e.stack.config;
  const seconds = (d: string) => durationSeconds(d as never);
  const summary = (alert: string) => alertRule(stack().files, alert).annotations.summary;
  /** for + scrape + evaluation + group_wait of an alert's `for`. */
  const bound = (forDuration: string) => seconds(forDuration) + seconds(cfg().prometheus.scrapeInterval) + seconds(cfg().prometheus.evaluationInterval) + seconds(cfg().alerting.groupWait);
  const firingSince = async (alert: string, labels: Record<string, string> = {}) =>
    (await e2e.monitoring.prometheusAlerts(alert)).find((a) => a.state === "firing" && Object.entries(labels).every(([k, v]) => a.labels[k] === v));

  before(async () => {
    began = Date.now();
    e2e = await startE2eStack("faults");
    traffic = startTraffic({ voteUrl: stack().urls.vote, resultUrl: stack().urls.result, votesPerSecond: 40, pageViewsPerSecond: 5 });
    await sleep(3_000);
  }, { timeout: 90_000 });

  after(async () => {
    await traffic?.stop();
    if (!e2e) return;
    const s = stack();
    const pids = [s.redis, s.postgres, s.prometheus, s.alertmanager, s.exporters.redis, s.exporters.postgres, s.exporters.node].map((c) => c.process.pid);
    for (const service of Object.values(s.services)) if (service.current) pids.push(service.current.process.pid);
    await e2e.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    report(`stopped ${pids.length} processes, ${alive.length} left running; fault drills took ${secondsSince(began)}s in all`);
    assert.deepEqual(alive, [], "no process left behind");
  }, { timeout: 60_000 });

  it("Redis stopped: vote answers 503, RedisDown pages, and votes flow again once it is back", async () => {
    const s = stack();
    const before503 = traffic!.counts().votes["5xx"] ?? 0;
    const stopAt = Date.now();
    await s.redis.stop();
    const status = await waitUntil("vote to answer 503", async () => ((await postVoteStatus(s.urls.vote)) === 503 ? 503 : undefined), 10_000);
    const page = await s.receivers.slack.waitFor((m) => slackAbout([m], summary("RedisDown"), "firing", "redis").length > 0, 30_000);
    const toPage = secondsSince(stopAt, page.receivedAt.getTime());
    const limit = bound(cfg().alerts.serviceDown.for);
    const voteAlert = await firingSince("VoteHighErrorRate");
    const restartAt = Date.now();
    await s.redis.restart();
    await waitUntil("vote to accept votes again", async () => ((await postVoteStatus(s.urls.vote)) === 200 ? true : undefined), 20_000);
    const pages = s.receivers.slack.messages.filter((m) => m.receivedAt.getTime() >= stopAt).map((m) => `${slackTitle(m)} [${slackServices(m).join(",")}]`);
    report(
      `Redis stopped: vote answered ${status}; RedisDown paged after ${toPage}s (bound serviceDown.for + scrape + evaluation + group_wait = ${limit}s); ` +
        `Slack during the outage: ${pages.join("; ")}; ` +
        `VoteHighErrorRate ${voteAlert ? "firing too (the 503s are 5xx)" : "not firing"}; ${(traffic!.counts().votes["5xx"] ?? 0) - before503} votes answered 5xx; ` +
        `votes accepted again ${secondsSince(restartAt)}s after Redis restarted (AOF kept the queue)`,
    );
    assert.equal(status, 503);
    assert.ok(toPage <= limit + 2, `RedisDown after ${toPage}s, bound ${limit}s`);
  });

  it("worker stopped under traffic: the backlog alert fires; restarted, the queue drains, the alert resolves, every acknowledged vote is in Postgres", async () => {
    const s = stack();
    const q = cfg().alerts.queue;
    await waitUntil("the queue to be short before the drill", async () => ((await votesInQueue(s.redis)) < 50 ? true : undefined), 20_000);
    const stopAt = Date.now();
    await s.services.worker.stop();
    const backlog = await waitUntil("VoteQueueBacklog to fire", () => firingSince("VoteQueueBacklog"), 60_000, 250);
    const firedAfter = secondsSince(stopAt);
    const depthAtFire = await e2e.monitoring.value(queueDepth());
    const inAlertmanager = await waitUntil("Alertmanager to hold VoteQueueBacklog", async () => (await e2e.monitoring.alertmanagerAlerts("VoteQueueBacklog"))[0], 10_000);
    const workerPage = await s.receivers.slack.waitFor((m) => m.receivedAt.getTime() > stopAt && !slackTitle(m).startsWith(RESOLVED_PREFIX) && slackServices(m).includes("worker"), 30_000);
    report(
      `worker stopped: VoteQueueBacklog firing after ${firedAfter}s (depth ${depthAtFire} > ${q.depth}, growing; for ${q.for}); in Alertmanager it is ${inAlertmanager.status.state}` +
        `${inAlertmanager.status.inhibitedBy.length > 0 ? " (inhibited: ServiceDown of the worker says the cause)" : ""}; the page people got: "${slackTitle(workerPage)}" after ${secondsSince(stopAt, workerPage.receivedAt.getTime())}s`,
    );
    assert.ok(backlog);

    const startAt = Date.now();
    await s.services.worker.start();
    await waitUntil("the queue to drain", async () => ((await votesInQueue(s.redis)) < 50 ? true : undefined), 60_000);
    const drained = secondsSince(startAt);
    await waitUntil("VoteQueueBacklog to resolve", async () => ((await e2e.monitoring.prometheusAlerts("VoteQueueBacklog")).length === 0 ? true : undefined), 60_000);
    report(`worker restarted: queue drained in ${drained}s, VoteQueueBacklog resolved after ${secondsSince(startAt)}s`);

    // Stop the traffic, let the worker take the last votes, then compare Postgres with every answer.
    const sent = traffic!;
    traffic = undefined;
    await sent.stop();
    await waitUntil("the queue to be empty", async () => ((await votesInQueue(s.redis)) === 0 ? true : undefined), 30_000);
    const check = sent.ledger.check(await storedVotes(s.postgres.url));
    report(
      `votes acknowledged (2xx) ${check.acknowledgedVotes} from ${check.acknowledgedVoters} voters; rows stored for them ${check.storedRows}; ` +
        `missing ${check.missing.length}, wrong vote ${check.wrong.length}, unexpected ${check.unexpected.length}, ` +
        `rows from a 5xx-answered vote Redis had taken after all ${check.storedWithoutAcknowledgement + check.laterUncertainWon}; ` +
        `answers ${JSON.stringify(sent.counts().votes)}`,
    );
    assert.deepEqual(check.missing, [], "every acknowledged voter has a row");
    assert.deepEqual(check.wrong, [], "each row holds the voter's last acknowledged vote");
    assert.deepEqual(check.unexpected, [], "no row comes from nowhere");
    assert.equal(check.storedRows, check.acknowledgedVoters + check.storedWithoutAcknowledgement, "acknowledged voters = distinct rows written (plus any 5xx vote Redis had taken)");
  });

  it("crash-loop: a service killed again and again is restarted, and ServiceCrashLooping names it", async () => {
    const s = stack();
    const result = s.services.result;
    const crashes = cfg().alerts.restarts.count;
    const startTime = () => e2e.monitoring.value('max(process_start_time_seconds{job="result"})');
    const first = Date.now();
    let scrapedAt = 0;
    for (let i = 1; i <= crashes; i++) {
      const previous = await startTime();
      await result.crash();
      await result.waitForRestarts(result.restarts + 1, 30_000);
      await waitUntil(`Prometheus to scrape the new result process (${i})`, async () => {
        const now = await startTime();
        return now !== undefined && now !== previous ? true : undefined;
      }, 15_000);
      scrapedAt = Date.now();
    }
    const page = await s.receivers.slack.waitFor((m) => slackAbout([m], summary("ServiceCrashLooping"), "firing", "result").length > 0, 30_000);
    const limit = bound(cfg().alerts.restarts.for);
    const afterLast = secondsSince(scrapedAt, page.receivedAt.getTime());
    report(`crash-loop: result killed ${crashes} times in ${secondsSince(first, scrapedAt)}s (supervisor restarted it each time); ServiceCrashLooping named \`result\` ${afterLast}s after the last restart was scraped (bound for + scrape + evaluation + group_wait = ${limit}s)`);
    assert.ok(afterLast <= limit + 2, `page ${afterLast}s after the last restart, bound ${limit}s`);
  });

  it("Prometheus killed with SIGKILL and restarted: earlier samples are still queryable (WAL)", async () => {
    const s = stack();
    // Samples of a few seconds ago, so the kill cannot race with the scrape that writes them.
    const at = Date.now() - 5_000;
    const span = `${Math.floor((at - began) / 1000)}s`;
    const queries = [`count_over_time(up{job="vote"}[${span}])`, `max_over_time(sum(votes_enqueued_total)[${span}:1s])`];
    const beforeKill = await Promise.all(queries.map((q) => e2e.monitoring.value(q, at)));
    const killAt = Date.now();
    const exit = await s.prometheus.kill();
    await s.prometheus.start();
    const backIn = secondsSince(killAt);
    const afterRestart = await Promise.all(queries.map((q) => e2e.monitoring.value(q, at)));
    report(`Prometheus killed (${exit.signal}) and ready again in ${backIn}s; samples of vote's up over the ${span} before: ${beforeKill[0]} before the kill, ${afterRestart[0]} after; votes enqueued then: ${beforeKill[1]} / ${afterRestart[1]}`);
    assert.equal(exit.signal, "SIGKILL");
    assert.ok((beforeKill[0] ?? 0) > 10);
    assert.deepEqual(afterRestart, beforeKill);
  });
});

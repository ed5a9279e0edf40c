import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Redis from "ioredis";
import { PostgresServer, startPostgres } from "../../processes/postgres";
import { RedisServer, startRedis } from "../../processes/redis";
import { RunningService, ServiceName, startService } from "../../processes/service";
import { HTTP_DURATION_BUCKETS } from "../../services/shared/src/http-metrics";
import { Cleanup } from "./helpers/cleanup";
import { postVote } from "./helpers/http";
import { metricTypes, parseMetrics, Sample, scrape, sumOf } from "./helpers/metrics-text";
import { CREATE_VOTES_TABLE, testPostgres, testRedis, voteJson } from "./helpers/stores";
import { tempDir } from "./helpers/temp";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
let postgres: PostgresServer;
let redisServer: RedisServer;
let redis: Redis;
const services = {} as Record<ServiceName, RunningService>;
let voteWithoutMetrics: RunningService;

async function scrapeWithTypes(service: RunningService): Promise<{ samples: Sample[]; types: Map<string, string> }> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return { samples: parseMetrics(text), types: metricTypes(text) };
}

/** Distinct label sets per metric family, leaving out nodejs_* and process_* (their labels come from the runtime). */
function ourSeries(samples: Sample[]): Set<string> {
  return new Set(samples.filter((s) => !/^(nodejs|process)_/.test(s.name)).map((s) => `${s.name}${JSON.stringify(s.labels)}`));
}

before(async () => {
  const dir = await tempDir(cleanup, "metrics");
  postgres = await startPostgres();
  cleanup.add(() => postgres.destroy());
  redisServer = await startRedis({ dataDir: dir });
  cleanup.add(() => redisServer.stop());
  redis = testRedis(redisServer.url, cleanup);
  const env = { REDIS_URL: redisServer.url, DATABASE_URL: postgres.url, RESULT_POLL_MS: "100", WORKER_BATCH_SIZE: "1" };
  const started = await cleanup.startAll(
    [
      ...(["vote", "worker", "result"] as const).map((name) => startService({ name, env, waitForReadiness: true })),
      startService({ name: "vote", env: { ...env, METRICS: "off" }, waitForReadiness: true }),
    ],
    (service) => service.stop(),
  );
  [services.vote, services.worker, services.result, voteWithoutMetrics] = started;
});
after(() => cleanup.run());

describe("metrics contract", () => {
  test("every service exposes the shared metrics, each sample labelled with its service", async () => {
    // One request each, so the HTTP histograms have samples.
    await postVote(services.vote.url, "vote=a");
    await fetch(`${services.worker.url}/nothing-here`);
    await fetch(`${services.result.url}/api/results`);
    for (const name of ["vote", "worker", "result"] as const) {
      const { samples, types } = await scrapeWithTypes(services[name]);
      assert.ok(samples.every((s) => s.labels.service === name), `${name}: every sample has service="${name}"`);
      const expectedTypes: Record<string, string> = {
        http_requests_total: "counter",
        http_request_duration_seconds: "histogram",
        process_cpu_seconds_total: "counter",
        process_resident_memory_bytes: "gauge",
        process_start_time_seconds: "gauge",
        nodejs_eventloop_lag_seconds: "gauge",
        nodejs_heap_size_used_bytes: "gauge",
        dependency_up: "gauge",
        log_shipping_dropped_total: "counter",
        voteobs_build_info: "gauge",
      };
      for (const [metric, type] of Object.entries(expectedTypes)) assert.equal(types.get(metric), type, `${name}: ${metric} is a ${type}`);

      const requests = samples.filter((s) => s.name === "http_requests_total" && s.value > 0);
      assert.ok(requests.length > 0, `${name}: a request was counted`);
      for (const sample of requests) assert.deepEqual(Object.keys(sample.labels).sort(), ["method", "route", "service", "status"]);
      for (const { labels, value } of requests) {
        const series = { route: labels.route, method: labels.method, status: labels.status };
        assert.equal(sumOf(samples, "http_request_duration_seconds_count", series), value, `${name}: histogram count = counter`);
        assert.equal(sumOf(samples, "http_request_duration_seconds_bucket", { ...series, le: "+Inf" }), value);
        assert.ok(sumOf(samples, "http_request_duration_seconds_sum", series) > 0);
      }
      const buckets = samples.filter((s) => s.name === "http_request_duration_seconds_bucket" && s.labels.le !== "+Inf");
      assert.deepEqual([...new Set(buckets.map((s) => Number(s.labels.le)))], HTTP_DURATION_BUCKETS);
      assert.deepEqual(Object.keys(buckets[0].labels).sort(), ["le", "method", "route", "service", "status"]);

      assert.equal(sumOf(samples, "voteobs_build_info", { version: "0.1.0" }), 1);
      assert.equal(sumOf(samples, "log_shipping_dropped_total"), 0);
      const dependencies = samples.filter((s) => s.name === "dependency_up").map((s) => s.labels.dependency).sort();
      assert.deepEqual(dependencies, { vote: ["redis"], worker: ["postgres", "redis"], result: ["postgres"] }[name]);
      for (const dependency of dependencies) {
        await waitFor(`${name} sees ${dependency} up`, async () => sumOf(await scrape(services[name].url), "dependency_up", { dependency }) === 1);
      }
    }
  });

  test("vote counts requests by route template, method and status class, and votes per option", async () => {
    const before = await scrape(services.vote.url);
    assert.equal((await postVote(services.vote.url, "vote=b")).status, 200);
    assert.equal((await postVote(services.vote.url, "vote=nope")).status, 400);
    const after = await scrape(services.vote.url);
    const delta = (labels: Record<string, string>, name = "http_requests_total"): number => sumOf(after, name, labels) - sumOf(before, name, labels);
    assert.equal(delta({ route: "/", method: "POST", status: "2xx" }), 1);
    assert.equal(delta({ route: "/", method: "POST", status: "4xx" }), 1);
    assert.equal(delta({ route: "/", method: "POST", status: "2xx" }, "http_request_duration_seconds_count"), 1);
    assert.equal(delta({ option: "b" }, "votes_enqueued_total"), 1);
    assert.equal(delta({ option: "a" }, "votes_enqueued_total"), 0);
    const types = (await scrapeWithTypes(services.vote)).types;
    assert.equal(types.get("votes_enqueued_total"), "counter");
    assert.equal(types.get("fault_injected_total"), "counter");
    assert.equal(types.get("vote_fault_injection_ratio"), "gauge");
    assert.equal(sumOf(after, "vote_fault_injection_ratio"), 0);
  });

  test("/metrics, /healthz, /readyz and /dependencies are not counted as requests", async () => {
    const total = async (): Promise<number> => sumOf(await scrape(services.vote.url), "http_requests_total");
    const before = await total();
    for (const path of ["/metrics", "/healthz", "/readyz", "/dependencies", "/healthz?verbose=1"]) assert.equal((await fetch(`${services.vote.url}${path}`)).status, 200);
    assert.equal(await total(), before);
    const routes = new Set((await scrape(services.vote.url)).filter((s) => s.name === "http_requests_total").map((s) => s.labels.route));
    for (const route of routes) assert.ok(["/", "other"].includes(route), `unexpected route label ${route}`);
  });

  test("the series count stays the same whatever the paths, voters, query strings and methods", async () => {
    const send = async (i: number): Promise<void> => {
      await fetch(`${services.vote.url}/voters/${i}/ballot?token=${i}`);
      await fetch(`${services.vote.url}/?ref=${i}`);
      await postVote(services.vote.url, "vote=a", `distinct-voter-${i}`);
      await postVote(services.vote.url, `vote=${i}`, `distinct-voter-${i}`);
      await fetch(`${services.vote.url}/`, { method: ["PATCH", "OPTIONS", "PROPFIND", "PURGE", "MKCOL"][i % 5] });
      await fetch(`${services.result.url}/api/results/${i}`);
    };
    // Once for every kind of request first, so all label values the traffic can produce exist.
    for (let i = 0; i < 5; i++) await send(i);
    const voteSeries = ourSeries(await scrape(services.vote.url));
    const resultSeries = ourSeries(await scrape(services.result.url));
    for (let i = 5; i < 300; i++) await send(i);
    const voteAfter = await scrape(services.vote.url);
    assert.deepEqual(ourSeries(voteAfter), voteSeries);
    assert.deepEqual(ourSeries(await scrape(services.result.url)), resultSeries);
    const methods = new Set(voteAfter.filter((s) => s.name === "http_requests_total").map((s) => s.labels.method));
    assert.deepEqual([...methods].sort(), ["GET", "OPTIONS", "OTHER", "PATCH", "POST"]);
  });

  test("worker exposes processing counters, batch histograms, queue depth and the oldest message's age", async () => {
    // Votes cast by the earlier tests must be stored first, so the counts below are exactly ours.
    await waitFor("the queue empty", async () => sumOf(await scrape(services.worker.url), "vote_queue_depth") === 0, 20_000);
    const pg = await testPostgres(postgres.url, cleanup);
    await pg.query(CREATE_VOTES_TABLE);
    await pg.query("BEGIN");
    await pg.query("LOCK TABLE votes IN ACCESS EXCLUSIVE MODE");
    try {
      // With the table locked the worker holds one vote (batch size 1) and three wait, the oldest 30 s old.
      const old = Date.now() - 30_000;
      await redis.rpush("votes", voteJson("aged-1", "a", old), voteJson("aged-2", "a", old), voteJson("aged-3", "b", old + 1_000), voteJson("aged-4", "b"));
      await waitFor("the worker holding one vote", async () => sumOf(await scrape(services.worker.url), "vote_queue_depth", { queue: "processing" }) === 1);
      const { samples, types } = await scrapeWithTypes(services.worker);
      assert.equal(sumOf(samples, "vote_queue_depth", { queue: "pending" }), 3);
      assert.equal(sumOf(samples, "vote_queue_depth", { queue: "dead_letter" }), 0);
      const age = sumOf(samples, "vote_queue_oldest_age_seconds");
      assert.ok(age >= 30 && age < 40, `oldest pending vote is about 30 s old (${age})`);
      for (const [metric, type] of Object.entries({
        votes_processed_total: "counter",
        vote_queue_depth: "gauge",
        vote_queue_oldest_age_seconds: "gauge",
        vote_batch_duration_seconds: "histogram",
        vote_batch_size: "histogram",
      })) assert.equal(types.get(metric), type, metric);
      const results = samples.filter((s) => s.name === "votes_processed_total").map((s) => s.labels.result).sort();
      assert.deepEqual(results, ["dead_letter", "retried", "stored"]);
    } finally {
      await pg.query("ROLLBACK");
    }
    await waitFor("the queue drained", async () => sumOf(await scrape(services.worker.url), "vote_queue_depth") === 0);
    const samples = await scrape(services.worker.url);
    assert.equal(sumOf(samples, "vote_queue_oldest_age_seconds"), 0);
    assert.ok(sumOf(samples, "votes_processed_total", { result: "stored" }) >= 4);
    assert.ok(sumOf(samples, "vote_batch_duration_seconds_count") >= 4);
  });

  test("result exposes the tally and the number of open streams", async () => {
    await waitFor("result_votes to follow Postgres", async () => {
      const [samples, api] = await Promise.all([scrape(services.result.url), fetch(`${services.result.url}/api/results`).then((r) => r.json() as Promise<{ a: number; b: number }>)]);
      return sumOf(samples, "result_votes", { option: "a" }) === api.a && sumOf(samples, "result_votes", { option: "b" }) === api.b && api.a + api.b > 0;
    });
    assert.equal(sumOf(await scrape(services.result.url), "result_sse_clients"), 0);
  });

  test("METRICS=off removes the HTTP metrics and keeps the rest", async () => {
    assert.equal((await postVote(voteWithoutMetrics.url, "vote=a")).status, 200);
    const samples = await scrape(voteWithoutMetrics.url);
    assert.equal(samples.filter((s) => s.name.startsWith("http_")).length, 0);
    assert.equal(sumOf(samples, "votes_enqueued_total", { option: "a" }), 1);
    assert.ok(samples.some((s) => s.name === "process_cpu_seconds_total"));
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Redis from "ioredis";
import { RedisServer, startRedis } from "../../processes/redis";
import { RunningService, startService } from "../../processes/service";
import { Cleanup } from "./helpers/cleanup";
import { cookieValue, getPage, postVote } from "./helpers/http";
import { logCollector } from "./helpers/log-lines";
import { scrape, sumOf } from "./helpers/metrics-text";
import { testRedis } from "./helpers/stores";
import { tempDir } from "./helpers/temp";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
let redisServer: RedisServer;
let redis: Redis;
let vote: RunningService;
const serviceLogs = logCollector();

async function queued(): Promise<{ voter_id: string; vote: string; ts?: number }[]> {
  return (await redis.lrange("votes", 0, -1)).map((raw) => JSON.parse(raw) as { voter_id: string; vote: string; ts?: number });
}

before(async () => {
  const dir = await tempDir(cleanup, "vote");
  redisServer = await startRedis({ dataDir: dir, persistence: "aof" });
  cleanup.add(() => redisServer.stop());
  redis = testRedis(redisServer.url, cleanup);
  vote = await startService({
    name: "vote",
    env: { REDIS_URL: redisServer.url, OPTION_A: "Tabs", OPTION_B: "Spaces & <Tabs>" },
    waitForReadiness: true,
    onLine: serviceLogs.collect,
  });
  cleanup.add(() => vote.stop());
});
after(() => cleanup.run());

describe("vote", () => {
  test("GET / shows both options from the environment and gives the browser a voter id", async () => {
    const page = await getPage(vote.url);
    assert.equal(page.status, 200);
    assert.match(page.body, /<button[^>]*value="a"[^>]*>Tabs<\/button>/);
    assert.match(page.body, /<button[^>]*value="b"[^>]*>Spaces &amp; &lt;Tabs&gt;<\/button>/);
    assert.doesNotMatch(page.body, /Your current vote/);
    assert.match(cookieValue(page.setCookies, "voter_id") ?? "", /^[0-9a-f-]{36}$/);
  });

  test("POST / queues the vote as JSON after Redis accepted it, and the page shows the current choice", async () => {
    await redis.del("votes");
    const before = Date.now();
    const first = await postVote(vote.url, "vote=b");
    assert.equal(first.status, 200);
    const voterId = cookieValue(first.setCookies, "voter_id");
    assert.ok(voterId, "a new voter gets a voter_id cookie");
    assert.equal(cookieValue(first.setCookies, "vote"), "b");
    assert.match(first.body, /Your current vote: <strong>Spaces &amp; &lt;Tabs&gt;<\/strong>/);

    const again = await postVote(vote.url, "vote=a", voterId);
    assert.equal(again.status, 200);
    assert.equal(cookieValue(again.setCookies, "voter_id"), undefined, "a known voter keeps its id");
    assert.match(again.body, /Your current vote: <strong>Tabs<\/strong>/);

    const messages = await queued();
    assert.deepEqual(messages.map(({ voter_id, vote }) => ({ voter_id, vote })), [
      { voter_id: voterId, vote: "b" },
      { voter_id: voterId, vote: "a" },
    ]);
    for (const message of messages) assert.ok(typeof message.ts === "number" && message.ts >= before && message.ts <= Date.now());

    const revisit = await getPage(vote.url, `voter_id=${voterId}; vote=a`);
    assert.equal(revisit.status, 200);
    assert.match(revisit.body, /Your current vote: <strong>Tabs<\/strong>/);
    assert.deepEqual(revisit.setCookies, []);
  });

  test("bad input is answered 4xx, never 5xx, and nothing is queued", async () => {
    await redis.del("votes");
    const cases: [string, () => Promise<number>, number][] = [
      ["unknown option", async () => (await postVote(vote.url, "vote=c")).status, 400],
      ["missing option", async () => (await postVote(vote.url, "other=a")).status, 400],
      ["oversized body", async () => (await postVote(vote.url, `vote=a&pad=${"x".repeat(5_000)}`)).status, 413],
      ["malformed voter_id cookie", async () => (await postVote(vote.url, "vote=a", "bad id!")).status, 400],
      ["JSON instead of a form", async () => (await postVote(vote.url, '{"vote":"a"}', undefined, { "content-type": "application/json" })).status, 415],
      ["GET with a malformed cookie", async () => (await getPage(vote.url, "voter_id=<script>")).status, 400],
      ["DELETE /", async () => (await fetch(`${vote.url}/`, { method: "DELETE" })).status, 405],
      ["unknown path", async () => (await fetch(`${vote.url}/admin/123?x=1`)).status, 404],
      ["fault endpoint while fault injection is off", async () => (await fetch(`${vote.url}/-/fault`, { method: "PUT", body: '{"errorRatio":1}' })).status, 404],
    ];
    for (const [name, send, expected] of cases) assert.equal(await send(), expected, name);

    const malformed = await postVote(vote.url, "vote=a", "bad id!");
    assert.equal(cookieValue(malformed.setCookies, "voter_id"), "", "the malformed cookie is cleared");
    assert.equal(await redis.llen("votes"), 0);
    const samples = await scrape(vote.url);
    assert.equal(sumOf(samples, "http_requests_total", { status: "5xx" }), 0);
    assert.ok(sumOf(samples, "http_requests_total", { route: "/", method: "POST", status: "4xx" }) >= 6);
    assert.equal(sumOf(samples, "http_requests_total", { route: "other", method: "GET", status: "4xx" }), 1);
  });

  test("when Redis dies, votes are answered 503 quickly and every acknowledged vote was stored", async () => {
    await redis.del("votes");
    const acknowledged: string[] = [];
    const refused: number[] = [];
    const other: number[] = [];
    let killedAt = Number.POSITIVE_INFINITY;
    let running = true;
    const client = async (clientNo: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const voterId = `load-${clientNo}-${i}`.padEnd(8, "x");
        const started = Date.now();
        const answer = await postVote(vote.url, "vote=a", voterId);
        if (answer.status === 200) acknowledged.push(voterId);
        else if (answer.status === 503 && started > killedAt) refused.push(Date.now() - started);
        else if (answer.status !== 503) other.push(answer.status);
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));
    try {
      await waitFor("100 acknowledged votes", () => acknowledged.length >= 100);
      await redisServer.kill();
      killedAt = Date.now();
      await waitFor("50 refused votes after the kill", () => refused.length >= 50);
      const during = await scrape(vote.url);
      assert.equal(sumOf(during, "dependency_up", { dependency: "redis" }), 0);
      assert.ok(sumOf(during, "http_requests_total", { route: "/", method: "POST", status: "5xx" }) >= 50);
    } finally {
      running = false;
      await Promise.all(clients);
    }
    assert.deepEqual(other, [], "only 200 and 503 answers");
    assert.ok(Math.max(...refused) < 1_000, `503 answered within 1 s (slowest ${Math.max(...refused)} ms)`);

    await redisServer.restart();
    await redis.ping();
    const stored = new Set((await queued()).map((m) => m.voter_id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `all ${acknowledged.length} acknowledged votes are in Redis`);

    const failure = serviceLogs.logs.find((l) => l.level === "error" && l.status === 503);
    assert.ok(failure, "the failure is logged");
    assert.equal(failure.route, "/");
    assert.equal(failure.method, "POST");
    assert.equal(typeof failure.err, "string");

    await waitFor("votes accepted again after Redis came back", async () => (await postVote(vote.url, "vote=b", "recovered-1")).status === 200);
  });
});

describe("vote fault injection", () => {
  let faulty: RunningService;
  before(async () => {
    faulty = await startService({
      name: "vote",
      env: { REDIS_URL: redisServer.url, FAULT_INJECTION: "enabled", FAULT_ERROR_RATIO: "1" },
      waitForReadiness: true,
    });
    cleanup.add(() => faulty.stop());
  });

  test("answers the configured fraction with 500 without storing, and can be changed at run time", async () => {
    await redis.del("votes");
    assert.equal(sumOf(await scrape(faulty.url), "vote_fault_injection_ratio"), 1);
    for (let i = 0; i < 5; i++) {
      assert.equal((await postVote(faulty.url, "vote=a")).status, 500);
      assert.equal((await getPage(faulty.url)).status, 500);
    }
    assert.equal(await redis.llen("votes"), 0, "an injected failure stores nothing");
    let samples = await scrape(faulty.url);
    assert.equal(sumOf(samples, "fault_injected_total"), 10);
    assert.equal(sumOf(samples, "http_requests_total", { route: "/", status: "5xx" }), 10);

    const put = (body: string): Promise<Response> => fetch(`${faulty.url}/-/fault`, { method: "PUT", headers: { "content-type": "application/json" }, body });
    assert.equal((await put('{"errorRatio":1.5}')).status, 400);
    assert.equal((await put('{"errorRatio":"0.2"}')).status, 400);
    assert.equal((await put("not json")).status, 400);
    const changed = await put('{"errorRatio":0.5}');
    assert.equal(changed.status, 200);
    assert.deepEqual(await changed.json(), { errorRatio: 0.5 });

    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await postVote(faulty.url, "vote=b")).status === 500) failed++;
    assert.ok(failed > 50 && failed < 150, `about half of 200 votes failed (${failed})`);
    assert.equal(await redis.llen("votes"), 200 - failed, "exactly the answered votes were stored");

    assert.equal((await put('{"errorRatio":0}')).status, 200);
    assert.equal((await postVote(faulty.url, "vote=a")).status, 200);
    samples = await scrape(faulty.url);
    assert.equal(sumOf(samples, "vote_fault_injection_ratio"), 0);
    assert.equal(sumOf(samples, "fault_injected_total"), 10 + failed);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "pg";
import { startPostgres } from "../../processes/postgres";
import { startRedis } from "../../processes/redis";
import { RunningService, startService } from "../../processes/service";
import { Cleanup } from "./helpers/cleanup";
import { cookieValue, postVote } from "./helpers/http";
import { scrape, sumOf } from "./helpers/metrics-text";
import { storedVotes, testPostgres } from "./helpers/stores";
import { tempDir } from "./helpers/temp";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
let pg: Client;
let vote: RunningService;
let result: RunningService;

interface Results {
  a: number;
  b: number;
  total: number;
  options: { a: string; b: string };
}

async function results(): Promise<Results> {
  const response = await fetch(`${result.url}/api/results`);
  assert.equal(response.status, 200);
  return (await response.json()) as Results;
}

/** Reads server-sent events from /events, one `data:` payload at a time. */
async function openEvents(): Promise<{ next(): Promise<Results>; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(`${result.url}/events`, { signal: abort.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    async next() {
      for (;;) {
        const match = /^data: (.*)$/m.exec(buffered);
        if (match) {
          buffered = buffered.slice(match.index + match[0].length);
          return JSON.parse(match[1]) as Results;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("event stream ended");
        buffered += decoder.decode(value, { stream: true });
      }
    },
    close: () => abort.abort(),
  };
}

before(async () => {
  const dir = await tempDir(cleanup, "flow");
  const postgres = await startPostgres();
  cleanup.add(() => postgres.destroy());
  const redis = await startRedis({ dataDir: dir });
  cleanup.add(() => redis.stop());
  pg = await testPostgres(postgres.url, cleanup);
  const env = { REDIS_URL: redis.url, DATABASE_URL: postgres.url, RESULT_POLL_MS: "100", OPTION_A: "Cats", OPTION_B: "Dogs" };
  const services = await cleanup.startAll(
    (["vote", "worker", "result"] as const).map((name) => startService({ name, env, waitForReadiness: true })),
    (service) => service.stop(),
  );
  [vote, , result] = services;
});
after(() => cleanup.run());

describe("vote → Redis → worker → Postgres → result", () => {
  test("each vote reaches Postgres and the tally; a voter's last vote wins", { timeout: 20_000 }, async () => {
    const first = await postVote(vote.url, "vote=a");
    const alice = cookieValue(first.setCookies, "voter_id")!;
    const bob = cookieValue((await postVote(vote.url, "vote=a")).setCookies, "voter_id")!;
    await waitFor("two votes for a", async () => (await results()).a === 2);

    assert.equal((await postVote(vote.url, "vote=b", alice)).status, 200);
    await waitFor("alice's change of mind", async () => (await results()).b === 1);
    assert.deepEqual(await results(), { a: 1, b: 1, total: 2, options: { a: "Cats", b: "Dogs" } });
    const stored = await storedVotes(pg);
    assert.equal(stored.get(alice), "b");
    assert.equal(stored.get(bob), "a");
    assert.equal(stored.size, 2);

    const page = await fetch(`${result.url}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Cats: <b id="count-a">1<\/b>/);
    assert.match(html, /Dogs: <b id="count-b">1<\/b>/);
    const samples = await scrape(result.url);
    assert.equal(sumOf(samples, "result_votes", { option: "a" }), 1);
    assert.equal(sumOf(samples, "result_votes", { option: "b" }), 1);
  });

  test("result pushes the new tally to open event streams when it changes", { timeout: 20_000 }, async () => {
    const events = await openEvents();
    try {
      const initial = await events.next();
      assert.deepEqual(initial, await results());
      await waitFor("one open stream counted", async () => sumOf(await scrape(result.url), "result_sse_clients") === 1);
      assert.equal((await postVote(vote.url, "vote=b")).status, 200);
      const updated = await events.next();
      assert.deepEqual(updated, { ...initial, b: initial.b + 1, total: initial.total + 1 });
    } finally {
      events.close();
    }
    await waitFor("the closed stream is forgotten", async () => sumOf(await scrape(result.url), "result_sse_clients") === 0);
  });
});

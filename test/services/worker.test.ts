import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import type Redis from "ioredis";
import type { Client } from "pg";
import { PostgresServer, startPostgres } from "../../processes/postgres";
import { RedisServer, startRedis } from "../../processes/redis";
import { RunningService, startService } from "../../processes/service";
import { Cleanup } from "./helpers/cleanup";
import { logCollector } from "./helpers/log-lines";
import { scrape, sumOf } from "./helpers/metrics-text";
import { CREATE_VOTES_TABLE, messagesInQueue, storedVotes, testPostgres, testRedis, voteJson } from "./helpers/stores";
import { tempDir } from "./helpers/temp";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
/** Undone after each test: its workers and locks must not leak into the next one. */
const perTest = new Cleanup();
const TIMEOUT = { timeout: 40_000 };
let redisServer: RedisServer;
let postgres: PostgresServer;
let redis: Redis;
let pg: Client;

interface Worker extends RunningService {
  logs: Record<string, unknown>[];
}

async function startWorker(env: Record<string, string> = {}): Promise<Worker> {
  const { logs, collect } = logCollector();
  const worker = await startService({
    name: "worker",
    env: {
      REDIS_URL: redisServer.url,
      DATABASE_URL: postgres.url,
      WORKER_HEARTBEAT_TTL_MS: "1000",
      WORKER_IDLE_BLOCK_MS: "500",
      WORKER_RECOVERY_INTERVAL_MS: "200",
      SHUTDOWN_TIMEOUT_MS: "5000",
      ...env,
    },
    waitForReadiness: true,
    onLine: collect,
  });
  perTest.add(() => worker.stop());
  return Object.assign(worker, { logs });
}

async function drained(): Promise<void> {
  await waitFor("the queue to drain", async () => (await messagesInQueue(redis)) === 0, 15_000);
}

/** Blocks every write to `votes` until the returned function is called. */
async function lockVotesTable(): Promise<() => Promise<void>> {
  const locker = await testPostgres(postgres.url, perTest);
  await locker.query("BEGIN");
  await locker.query("LOCK TABLE votes IN ACCESS EXCLUSIVE MODE");
  let locked = true;
  const unlock = async (): Promise<void> => {
    if (locked) await locker.query("ROLLBACK");
    locked = false;
  };
  perTest.add(unlock);
  return unlock;
}

async function waitUntilBlockedOnLock(workerId: string): Promise<void> {
  await waitFor("the worker to hold a batch while its upsert waits on the lock", async () => {
    const held = await redis.llen(`votes:processing:${workerId}`);
    const { rows } = await pg.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO votes%'");
    return held > 0 && rows.length > 0;
  });
}

before(async () => {
  const dir = await tempDir(cleanup, "worker");
  postgres = await startPostgres();
  cleanup.add(() => postgres.destroy());
  redisServer = await startRedis({ dataDir: dir });
  cleanup.add(() => redisServer.stop());
  redis = testRedis(redisServer.url, cleanup);
  pg = await testPostgres(postgres.url, cleanup);
  await pg.query(CREATE_VOTES_TABLE);
});
after(() => cleanup.run());
afterEach(() => perTest.run());

beforeEach(async () => {
  await redis.flushall();
  await pg.query("TRUNCATE votes");
});

describe("worker", () => {
  test("stores one row per voter and the last vote wins, within and across batches", TIMEOUT, async () => {
    const worker = await startWorker({ WORKER_BATCH_SIZE: "3", WORKER_ID: "last-vote-wins" });
    const sequence: [string, string][] = [
      ["voter-one", "a"], ["voter-one", "b"], ["voter-two", "a"], ["voter-one", "a"],
      ["voter-three", "b"], ["voter-two", "b"], ["voter-two", "a"], ["voter-three", "a"], ["voter-one", "b"],
    ];
    await redis.rpush("votes", ...sequence.map(([id, vote], i) => voteJson(id, vote, i % 2 === 0 ? Date.now() : undefined)));
    await drained();
    assert.deepEqual(Object.fromEntries(await storedVotes(pg)), { "voter-one": "b", "voter-two": "a", "voter-three": "a" });
    const samples = await scrape(worker.url);
    assert.equal(sumOf(samples, "votes_processed_total", { result: "stored" }), sequence.length);
    assert.ok(sumOf(samples, "vote_batch_size_count") >= 3);
    await worker.stop();
  });

  test("moves malformed messages to votes:dead with a log line, once, and keeps going", TIMEOUT, async () => {
    const worker = await startWorker({ WORKER_ID: "dead-letters" });
    const malformed = [
      "not json",
      "[1,2]",
      '{"vote":"a"}',
      '{"voter_id":"someone","vote":"c"}',
      '{"voter_id":"someone","vote":"a","ts":"yesterday"}',
      JSON.stringify({ voter_id: "nul\u0000byte", vote: "a" }),
      JSON.stringify({ voter_id: "x".repeat(256), vote: "b" }),
    ];
    await redis.rpush("votes", voteJson("good-one", "a"), ...malformed, voteJson("good-two", "b"));
    await drained();
    assert.deepEqual(await redis.lrange("votes:dead", 0, -1), malformed);
    assert.deepEqual(Object.fromEntries(await storedVotes(pg)), { "good-one": "a", "good-two": "b" });
    const samples = await scrape(worker.url);
    assert.equal(sumOf(samples, "votes_processed_total", { result: "dead_letter" }), malformed.length);
    assert.equal(sumOf(samples, "votes_processed_total", { result: "retried" }), 0);
    assert.equal(sumOf(samples, "vote_queue_depth", { queue: "dead_letter" }), malformed.length);
    const deadLogs = worker.logs.filter((l) => l.msg === "vote moved to the dead-letter list");
    assert.equal(deadLogs.length, malformed.length);
    assert.ok(deadLogs.every((l) => typeof l.reason === "string" && l.level === "warn"));
  });

  test("returns the batch of a dead worker to the head of the queue, in order", TIMEOUT, async () => {
    // A worker that died holding two votes of one voter; a newer vote of that voter waits in the queue.
    await redis.sadd("votes:workers", "ghost");
    await redis.rpush("votes:processing:ghost", voteJson("ghost-voter", "a"), voteJson("ordered-voter", "a"), voteJson("ordered-voter", "b"));
    await redis.rpush("votes", voteJson("ghost-voter", "b"));
    const worker = await startWorker({ WORKER_ID: "rescuer" });
    await drained();
    assert.deepEqual(Object.fromEntries(await storedVotes(pg)), { "ghost-voter": "b", "ordered-voter": "b" });
    assert.deepEqual(await redis.smembers("votes:workers"), ["rescuer"]);
    assert.ok(worker.logs.some((l) => l.msg === "returned the batch of a dead worker to the queue" && l.deadWorker === "ghost" && l.messages === 3));
  });

  test("a worker restarted under the same WORKER_ID delivers what it held before anything newer", TIMEOUT, async () => {
    // As left by a worker killed moments ago: its heartbeat has not expired yet.
    await redis.sadd("votes:workers", "steady");
    await redis.set("votes:heartbeat:steady", "1", "PX", 60_000);
    await redis.rpush("votes:processing:steady", voteJson("steady-voter", "a"), voteJson("steady-voter", "b"));
    await redis.rpush("votes", voteJson("steady-voter", "a"), voteJson("other-voter", "b"));
    await startWorker({ WORKER_ID: "steady" });
    await drained();
    assert.deepEqual(Object.fromEntries(await storedVotes(pg)), { "steady-voter": "a", "other-voter": "b" });
  });

  test("a worker killed mid-batch loses nothing: its batch is recovered after its heartbeat expires", TIMEOUT, async () => {
    const doomed = await startWorker({ WORKER_ID: "doomed", WORKER_BATCH_SIZE: "50" });
    const unlock = await lockVotesTable();
    const ids = Array.from({ length: 300 }, (_, i) => `killed-${i}`);
    await redis.rpush("votes", ...ids.map((id) => voteJson(id, "a")));
    await waitUntilBlockedOnLock("doomed");
    await doomed.kill();
    assert.equal(await redis.llen("votes:processing:doomed"), 50, "the killed worker's batch is still in its processing list");
    await unlock();

    const successor = await startWorker({ WORKER_ID: "successor" });
    await drained();
    const stored = await storedVotes(pg);
    assert.deepEqual(ids.filter((id) => stored.get(id) !== "a"), [], "every vote is stored");
    assert.ok(successor.logs.some((l) => l.msg === "returned the batch of a dead worker to the queue" && l.deadWorker === "doomed"));
  });

  test("SIGTERM finishes the batch in flight and exits 0, leaving nothing behind", TIMEOUT, async () => {
    const worker = await startWorker({ WORKER_ID: "graceful", WORKER_BATCH_SIZE: "20" });
    const ids = Array.from({ length: 2_000 }, (_, i) => `graceful-${i}`);
    await redis.rpush("votes", ...ids.map((id) => voteJson(id, "b")));
    await waitFor("some votes stored", async () => (await storedVotes(pg)).size > 0);
    const exit = await worker.stop(4_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(await redis.exists("votes:processing:graceful", "votes:heartbeat:graceful"), 0);
    assert.equal(await redis.sismember("votes:workers", "graceful"), 0);
    const stored = await storedVotes(pg);
    const pending = new Set((await redis.lrange("votes", 0, -1)).map((raw) => (JSON.parse(raw) as { voter_id: string }).voter_id));
    assert.deepEqual(ids.filter((id) => !stored.has(id) && !pending.has(id)), [], "every vote is stored or still queued");
  });

  test("SIGTERM while Postgres blocks the batch returns it to the queue and exits 0 within the deadline", TIMEOUT, async () => {
    const worker = await startWorker({ WORKER_ID: "blocked", WORKER_BATCH_SIZE: "10", SHUTDOWN_TIMEOUT_MS: "3000" });
    const unlock = await lockVotesTable();
    const ids = Array.from({ length: 30 }, (_, i) => `blocked-${i}`);
    await redis.rpush("votes", ...ids.map((id) => voteJson(id, "a")));
    await waitUntilBlockedOnLock("blocked");
    const started = Date.now();
    const exit = await worker.stop(5_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(Date.now() - started < 3_000, `exited within the 3 s deadline (${Date.now() - started} ms)`);
    assert.equal(await redis.exists("votes:processing:blocked"), 0);
    const queuedIds = (await redis.lrange("votes", 0, -1)).map((raw) => (JSON.parse(raw) as { voter_id: string }).voter_id);
    assert.deepEqual(queuedIds, ids, "the batch went back to the head of the queue, in order");
    await unlock();
    await startWorker({ WORKER_ID: "after-blocked" });
    await drained();
    const stored = await storedVotes(pg);
    assert.deepEqual(ids.filter((id) => !stored.has(id)), []);
  });

  test("survives a Postgres restart under traffic and loses nothing", TIMEOUT, async () => {
    const worker = await startWorker({ WORKER_ID: "survivor", WORKER_BATCH_SIZE: "25" });
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const batch = Array.from({ length: 20 }, () => voteJson(`restart-${produced++}`, produced % 2 ? "a" : "b"));
        await redis.rpush("votes", ...batch);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      await waitFor("votes flowing", async () => (await storedVotes(pg)).size > 200);
      await postgres.restart();
      pg = await testPostgres(postgres.url, cleanup);
      const target = produced + 200;
      await waitFor("votes flowing again", async () => (await storedVotes(pg)).size > target, 15_000);
    } finally {
      producing = false;
      await producer;
    }
    await drained();
    const stored = await storedVotes(pg);
    const missing = Array.from({ length: produced }, (_, i) => `restart-${i}`).filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], `all ${produced} votes stored`);
    assert.ok(worker.logs.some((l) => l.msg === "batch failed, retrying"), "the outage was noticed and retried");
    const samples = await scrape(worker.url);
    assert.equal(sumOf(samples, "dependency_up", { dependency: "postgres" }), 1);
  });
});

/** True while the worker's waiting connection is blocked in BLMOVE that began within the last `maxIdleSeconds`. */
async function waitingInBlockingMove(workerId: string, maxIdleSeconds: number): Promise<boolean> {
  const clients = String(await redis.client("LIST")).split("\n");
  return clients.some((line) => {
    const field = (name: string): string | undefined => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1];
    return field("name") === `worker:${workerId}:wait` && field("cmd") === "blmove" && (field("flags") ?? "").includes("b") && Number(field("idle")) <= maxIdleSeconds;
  });
}

describe("worker recovery never strands a vote", () => {
  test("a worker stalled past its TTL while its blocking move took a vote: the vote is counted while held, recovered by another worker, stored once", TIMEOUT, async () => {
    const stalled = await startWorker({ WORKER_ID: "stalled", WORKER_HEARTBEAT_TTL_MS: "8000", WORKER_IDLE_BLOCK_MS: "4000" });
    const pid = stalled.process.pid;
    // Runs before the worker's own stop (cleanup is last-in first-out): a stopped process ignores SIGTERM.
    perTest.add(async () => {
      if (stalled.process.running) process.kill(pid, "SIGCONT");
    });

    // Freeze the worker while its move waits in Redis with at least 2 s of its 4 s left, then vote:
    // Redis hands the vote to the frozen worker's move.
    await waitFor("the worker waiting in a fresh blocking move", () => waitingInBlockingMove("stalled", 1));
    process.kill(pid, "SIGSTOP");
    assert.ok(await waitingInBlockingMove("stalled", 1), "still waiting after SIGSTOP");
    await redis.rpush("votes", voteJson("stalled-voter", "a"));
    await waitFor("the frozen worker's move to take the vote", async () => (await redis.llen("votes:processing:stalled")) === 1);
    assert.equal(await redis.llen("votes"), 0);

    const rescuer = await startWorker({ WORKER_ID: "rescuer" });
    assert.equal(await redis.exists("votes:heartbeat:stalled"), 1, "the frozen worker's heartbeat has not expired yet");
    let samples = await scrape(rescuer.url);
    assert.equal(sumOf(samples, "vote_queue_depth", { queue: "processing" }), 1, "the held vote is counted as processing");
    assert.equal(sumOf(samples, "vote_queue_depth", { queue: "pending" }), 0);

    // The heartbeat expires (the worker is still frozen): the rescuer returns the vote to the queue and stores it.
    await waitFor("the rescuer to store the held vote", async () => (await storedVotes(pg)).get("stalled-voter") === "a", 15_000);
    await drained();
    assert.ok(rescuer.logs.some((l) => l.msg === "returned the batch of a dead worker to the queue" && l.deadWorker === "stalled" && l.messages === 1));

    // The frozen worker wakes up: it finds its list empty and stores nothing twice; a newer vote still wins.
    process.kill(pid, "SIGCONT");
    await waitFor("the woken worker to answer again", async () => (await fetch(`${stalled.url}/healthz`)).ok);
    await redis.rpush("votes", voteJson("stalled-voter", "b"));
    await drained();
    assert.deepEqual(Object.fromEntries(await storedVotes(pg)), { "stalled-voter": "b" });
    samples = [...(await scrape(stalled.url)), ...(await scrape(rescuer.url))];
    assert.equal(sumOf(samples, "votes_processed_total", { result: "stored" }), 2, "each vote stored once: the held one and the newer one");
  });

  test("a processing list whose worker has no heartbeat is counted and recovered even when the registry does not name it", TIMEOUT, async () => {
    // What a recovery racing a blocking move that outlived the heartbeat used to leave behind: the
    // worker forgotten by the registry, then a vote moved into its list.
    await redis.rpush("votes:processing:forgotten", voteJson("forgotten-voter", "a"), voteJson("forgotten-voter", "b"));
    await redis.set("votes:heartbeat:forgotten", "1", "PX", 60_000);
    const rescuer = await startWorker({ WORKER_ID: "finder" });
    const samples = await scrape(rescuer.url);
    assert.equal(sumOf(samples, "vote_queue_depth", { queue: "processing" }), 2, "counted while its worker may still be alive");

    await redis.del("votes:heartbeat:forgotten");
    await drained();
    assert.deepEqual(Object.fromEntries(await storedVotes(pg)), { "forgotten-voter": "b" });
    assert.ok(rescuer.logs.some((l) => l.msg === "returned the batch of a dead worker to the queue" && l.deadWorker === "forgotten" && l.messages === 2));
  });

  test("each blocking move is sent right behind a heartbeat refresh on the same connection", TIMEOUT, async () => {
    const monitor = await testRedis(redisServer.url, perTest).monitor();
    perTest.add(async () => monitor.disconnect());
    const bySource = new Map<string, string[][]>();
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      const commands = bySource.get(source) ?? [];
      commands.push(args.map((arg) => arg.toLowerCase()));
      bySource.set(source, commands);
    });
    await startWorker({ WORKER_ID: "punctual", WORKER_IDLE_BLOCK_MS: "50" });
    const moves = (): number => [...bySource.values()].flat().filter((args) => args[0] === "blmove").length;
    await waitFor("a few blocking moves", () => moves() >= 5);
    for (const commands of bySource.values()) {
      commands.forEach((args, i) => {
        if (args[0] !== "blmove") return;
        assert.deepEqual(commands[i - 2]?.slice(0, 2), ["set", "votes:heartbeat:punctual"], "heartbeat set just before the move");
        assert.equal(commands[i - 2]?.[3], "px");
        assert.deepEqual(commands[i - 1], ["sadd", "votes:workers", "punctual"]);
      });
    }
  });
});

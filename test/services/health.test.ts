import assert from "node:assert/strict";
import { Agent, get } from "node:http";
import { after, before, describe, test } from "node:test";
import type Redis from "ioredis";
import { getFreePort } from "../../processes/ports";
import { RedisServer, startRedis } from "../../processes/redis";
import { RunningService, startService } from "../../processes/service";
import { Cleanup } from "./helpers/cleanup";
import { postVote } from "./helpers/http";
import { scrape, sumOf } from "./helpers/metrics-text";
import { testRedis } from "./helpers/stores";
import { tempDir } from "./helpers/temp";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
let redisServer: RedisServer;
let redis: Redis;

function stopLater(service: RunningService): RunningService {
  cleanup.add(() => service.stop());
  return service;
}

async function nowhere(scheme: "redis" | "postgres"): Promise<string> {
  const port = await getFreePort();
  return scheme === "redis" ? `redis://127.0.0.1:${port}` : `postgres://postgres@127.0.0.1:${port}/postgres`;
}

async function statusOf(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The Keep-Alive header of a response on a kept-alive connection, as a load balancer sees it. */
function keepAliveHeader(url: string): Promise<string | undefined> {
  const agent = new Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.once("end", () => agent.destroy());
      const header = res.headers["keep-alive"];
      resolve(Array.isArray(header) ? header[0] : header);
    }).once("error", reject);
  });
}

before(async () => {
  redisServer = await startRedis({ dataDir: await tempDir(cleanup, "health") });
  cleanup.add(() => redisServer.stop());
  redis = testRedis(redisServer.url, cleanup);
});
after(() => cleanup.run());

describe("readiness: a dependency down never takes a service out of traffic", () => {
  test("vote with Redis stopped stays ready and counts every refused vote as a 5xx", async () => {
    const own = await startRedis({ dataDir: await tempDir(cleanup, "health-own") });
    cleanup.add(() => own.stop());
    const vote = stopLater(await startService({ name: "vote", env: { REDIS_URL: own.url }, waitForReadiness: true }));
    await own.stop();
    await waitFor("vote to notice Redis is gone", async () => sumOf(await scrape(vote.url), "dependency_up", { dependency: "redis" }) === 0);

    assert.deepEqual(await statusOf(`${vote.url}/readyz`), { status: 200, body: { status: "ready" } });
    for (let i = 0; i < 5; i++) assert.equal((await postVote(vote.url, "vote=a")).status, 503);
    const samples = await scrape(vote.url);
    assert.equal(sumOf(samples, "http_requests_total", { route: "/", method: "POST", status: "5xx" }), 5);
    assert.equal(sumOf(samples, "http_requests_total", { status: "5xx" }), 5);
    assert.equal(sumOf(samples, "dependency_up", { dependency: "redis" }), 0);

    const dependencies = await statusOf(`${vote.url}/dependencies`);
    assert.equal(dependencies.status, 503, "the dependency-aware check lives on its own path");
    assert.deepEqual(dependencies.body.failed, ["redis"]);
    assert.equal((await statusOf(`${vote.url}/readyz`)).status, 200, "still ready after the dependency check");
  });

  test("result with Postgres unreachable stays ready and counts its 503s", async () => {
    const result = stopLater(await startService({ name: "result", env: { DATABASE_URL: await nowhere("postgres"), RESULT_POLL_MS: "100" } }));
    assert.equal((await statusOf(`${result.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${result.url}/api/results`)).status, 503);
    const samples = await scrape(result.url);
    assert.equal(sumOf(samples, "http_requests_total", { route: "/api/results", status: "5xx" }), 1);
    assert.equal(sumOf(samples, "dependency_up", { dependency: "postgres" }), 0);
    assert.equal((await statusOf(`${result.url}/dependencies`)).status, 503);
  });

  test("worker with Redis and Postgres unreachable stays ready; /dependencies names both", async () => {
    const worker = stopLater(await startService({ name: "worker", env: { REDIS_URL: await nowhere("redis"), DATABASE_URL: await nowhere("postgres") } }));
    assert.equal((await statusOf(`${worker.url}/readyz`)).status, 200);
    const dependencies = await statusOf(`${worker.url}/dependencies`);
    assert.equal(dependencies.status, 503);
    assert.deepEqual([...(dependencies.body.failed as string[])].sort(), ["postgres", "redis"]);
  });
});

describe("graceful drain", () => {
  test("SIGTERM makes /readyz answer 503 at once while votes are still served, then the process exits 0", async () => {
    const vote = stopLater(
      await startService({ name: "vote", env: { REDIS_URL: redisServer.url, SHUTDOWN_DRAIN_MS: "4000", SHUTDOWN_TIMEOUT_MS: "10000" }, waitForReadiness: true }),
    );
    await redis.del("votes");
    process.kill(vote.process.pid, "SIGTERM");
    await waitFor("/readyz to answer 503", async () => (await fetch(`${vote.url}/readyz`)).status === 503);
    assert.deepEqual((await statusOf(`${vote.url}/readyz`)).body, { status: "draining" });

    const during = await postVote(vote.url, "vote=b", "drained-voter");
    assert.equal(during.status, 200, "a vote that arrives during the drain is served");
    assert.equal(vote.process.running, true, "still running: the drain is not over");
    assert.equal((await fetch(`${vote.url}/healthz`)).status, 200, "alive while draining");
    assert.deepEqual(
      (await redis.lrange("votes", 0, -1)).map((raw) => (JSON.parse(raw) as { voter_id: string }).voter_id),
      ["drained-voter"],
    );
    assert.deepEqual(await vote.process.exited, { code: 0, signal: null });
  });
});

describe("HTTP keep-alive", () => {
  test("idle connections are kept longer than the 60 s of nginx-ingress and AWS ALB by default, and the environment raises it", async () => {
    const vote = stopLater(await startService({ name: "vote", env: { REDIS_URL: redisServer.url } }));
    const timeout = Number(/timeout=(\d+)/.exec((await keepAliveHeader(`${vote.url}/`)) ?? "")?.[1]);
    assert.ok(timeout > 60, `Keep-Alive timeout ${timeout} s is above 60 s`);

    const gcp = stopLater(await startService({ name: "result", env: { DATABASE_URL: await nowhere("postgres"), HTTP_KEEP_ALIVE_TIMEOUT_MS: "620000" } }));
    assert.equal(await keepAliveHeader(`${gcp.url}/healthz`), "timeout=620");
  });
});

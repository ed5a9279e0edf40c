import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type Redis from "ioredis";
import type { Client } from "pg";
import { PostgresServer, startPostgres } from "../../processes/postgres";
import { RedisServer, startRedis } from "../../processes/redis";
import { RunningService, ServiceName, startService } from "../../processes/service";
import { Cleanup } from "./helpers/cleanup";
import { postVote } from "./helpers/http";
import { parseLogLine } from "./helpers/log-lines";
import { scrape, sumOf } from "./helpers/metrics-text";
import { storedVotes, testPostgres, testRedis } from "./helpers/stores";
import { tempDir } from "./helpers/temp";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
const PASSWORD = `right ${randomBytes(12).toString("hex")}`;
const WRONG = `wrong ${randomBytes(12).toString("hex")}`;
let redisServer: RedisServer;
let postgres: PostgresServer;
let redis: Redis;
let pg: Client;
let dir: string;

interface Started extends RunningService {
  /** Every line the process printed, stdout and stderr. */
  lines: string[];
}

async function start(name: ServiceName, passwordFile: string, waitForReadiness: boolean): Promise<Started> {
  const lines: string[] = [];
  const service = await startService({
    name,
    env: { REDIS_URL: redisServer.url, REDIS_PASSWORD_FILE: passwordFile, DATABASE_URL: postgres.url, LOG_LEVEL: "debug" },
    waitForReadiness,
    onLine: (line) => lines.push(line),
  });
  cleanup.add(() => service.stop());
  return Object.assign(service, { lines });
}

function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${content}\n`, { mode: 0o600 });
  return path;
}

function assertNoSecretIn(lines: string[]): void {
  for (const line of lines) {
    assert.ok(!line.includes(PASSWORD) && !line.includes(WRONG), `a password in the output: ${line}`);
  }
}

before(async () => {
  dir = await tempDir(cleanup, "redis-auth");
  postgres = await startPostgres();
  cleanup.add(() => postgres.destroy());
  redisServer = await startRedis({ dataDir: join(dir, "redis"), password: PASSWORD });
  cleanup.add(() => redisServer.stop());
  redis = testRedis(redisServer.url, cleanup, PASSWORD);
  pg = await testPostgres(postgres.url, cleanup);
});
after(() => cleanup.run());

describe("Redis with a password", () => {
  test("the test Redis refuses clients without it", async () => {
    const anonymous = testRedis(redisServer.url, cleanup);
    await assert.rejects(anonymous.ping(), /NOAUTH/);
  });

  test("vote and worker given the password file queue and store a vote", { timeout: 40_000 }, async () => {
    const file = secretFile("redis-password", PASSWORD);
    const vote = await start("vote", file, true);
    const worker = await start("worker", file, true);
    const answer = await postVote(vote.url, "vote=a", "authenticated-voter");
    assert.equal(answer.status, 200);
    await waitFor("the vote stored", async () => (await storedVotes(pg)).get("authenticated-voter") === "a");
    assert.equal(await redis.llen("votes"), 0);
    for (const service of [vote, worker]) assert.equal(sumOf(await scrape(service.url), "dependency_up", { dependency: "redis" }), 1);
    assertNoSecretIn([...vote.lines, ...worker.lines]);
  });

  test("a wrong password: vote answers 503s and counts them, both report Redis down and log why, without the password", { timeout: 40_000 }, async () => {
    const file = secretFile("wrong-password", WRONG);
    const vote = await start("vote", file, false);
    const worker = await start("worker", file, false);

    assert.equal((await fetch(`${vote.url}/readyz`)).status, 200, "vote stays ready: its failures are counted");
    for (let i = 0; i < 3; i++) assert.equal((await postVote(vote.url, "vote=b", "refused-voter")).status, 503);
    const voteSamples = await scrape(vote.url);
    assert.equal(sumOf(voteSamples, "http_requests_total", { route: "/", method: "POST", status: "5xx" }), 3);
    assert.equal(sumOf(voteSamples, "dependency_up", { dependency: "redis" }), 0);
    assert.equal(sumOf(await scrape(worker.url), "dependency_up", { dependency: "redis" }), 0);
    const dependencies = (await (await fetch(`${worker.url}/dependencies`)).json()) as { failed: string[] };
    assert.ok(dependencies.failed.includes("redis"));

    for (const service of [vote, worker]) {
      await waitFor(`${service.name} to log the refused password`, () =>
        service.lines.some((line) => {
          const log = parseLogLine(line);
          return log?.msg === "redis unavailable" && /WRONGPASS/.test(String(log.err));
        }),
      );
    }
    assert.equal(await redis.llen("votes"), 0, "nothing was queued");
    assertNoSecretIn([...vote.lines, ...worker.lines]);
  });
});

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, describe, test } from "node:test";
import { getFreePort } from "../../processes/ports";
import { startService } from "../../processes/service";
import { createLogger } from "../../services/shared/src/logger";
import { Cleanup } from "./helpers/cleanup";
import { FakeLoki, startFakeLoki } from "./helpers/fake-loki";
import { postVote } from "./helpers/http";
import { scrape, sumOf } from "./helpers/metrics-text";
import { waitFor } from "./helpers/wait";

const cleanup = new Cleanup();
after(() => cleanup.run());
/** The in-process loggers' stdout copy, kept out of the test report. */
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

async function fakeLoki(): Promise<FakeLoki> {
  const loki = await startFakeLoki();
  cleanup.add(() => loki.close());
  return loki;
}

describe("log shipping to Loki", () => {
  test("ships the stdout JSON line with only the service and level labels", async () => {
    const loki = await fakeLoki();
    let dropped = 0;
    const { logger, close } = createLogger({ service: "vote", level: "info", stdout: quiet, loki: { url: loki.url, bufferLines: 100, onDrop: (n) => (dropped += n) } });
    logger.error("request failed", { route: "/", method: "POST", status: 503, err: new Error("redis not connected") });
    logger.info("hello");
    logger.debug("below the level, not shipped");
    await waitFor("two lines in Loki", () => loki.lines.length === 2);
    await close(1_000);
    const error = loki.lines.find((l) => l.labels.level === "error")!;
    assert.deepEqual(error.labels, { service: "vote", level: "error" });
    const fields = JSON.parse(error.line) as Record<string, unknown>;
    assert.deepEqual(Object.keys(fields).slice(0, 4), ["ts", "level", "service", "msg"]);
    assert.deepEqual({ ...fields, ts: undefined }, { ts: undefined, level: "error", service: "vote", msg: "request failed", route: "/", method: "POST", status: 503, err: "redis not connected" });
    assert.deepEqual(loki.lines.find((l) => l.labels.level === "info")!.labels, { service: "vote", level: "info" });
    assert.equal(dropped, 0);
  });

  test("a Loki that never answers costs a bounded buffer: logging stays instant, overflow is dropped and counted", async () => {
    const loki = await fakeLoki();
    loki.mode = "hang";
    let dropped = 0;
    const { logger, close } = createLogger({ service: "worker", level: "info", stdout: quiet, loki: { url: loki.url, bufferLines: 50, onDrop: (n) => (dropped += n) } });
    const started = Date.now();
    for (let i = 0; i < 2_000; i++) logger.info("line", { i });
    assert.ok(Date.now() - started < 2_000, "logging did not wait for Loki");
    assert.ok(dropped >= 1_950, `overflow dropped and counted (${dropped})`);

    const closing = Date.now();
    await close(300);
    assert.ok(Date.now() - closing < 1_500, `shutdown flush kept its deadline (${Date.now() - closing} ms)`);
    assert.equal(dropped, 2_000, "every line not shipped by the deadline is counted");
    assert.equal(loki.lines.length, 0);
  });

  test("a failing Loki does not make lines pile up: the failed batch is dropped and counted", async () => {
    const loki = await fakeLoki();
    loki.mode = "fail";
    let dropped = 0;
    const { logger, close } = createLogger({ service: "result", level: "info", stdout: quiet, loki: { url: loki.url, bufferLines: 1_000, onDrop: (n) => (dropped += n) } });
    for (let i = 0; i < 20; i++) logger.warn("postgres unavailable", { i });
    await waitFor("the failed push to be counted", () => dropped === 20);
    await close(200);
  });

  test("a service with LOKI_URL ships its error logs, and counts drops when Loki is stuck", { timeout: 30_000 }, async () => {
    const loki = await fakeLoki();
    const noRedis = `redis://127.0.0.1:${await getFreePort()}`;
    const stdout: string[] = [];
    const vote = await startService({ name: "vote", env: { REDIS_URL: noRedis, LOKI_URL: loki.url, LOKI_BUFFER_LINES: "10" }, onLine: (l) => stdout.push(l) });
    cleanup.add(() => vote.stop());

    assert.equal((await postVote(vote.url, "vote=a")).status, 503);
    await waitFor("the error line in Loki", () => loki.lines.some((l) => l.labels.level === "error"));
    const shipped = loki.lines.find((l) => l.labels.level === "error")!;
    assert.deepEqual(shipped.labels, { service: "vote", level: "error" });
    assert.ok(stdout.includes(shipped.line), "the shipped line is the stdout line");
    assert.deepEqual(JSON.parse(shipped.line), { ...(JSON.parse(shipped.line) as object), level: "error", msg: "request failed", route: "/", method: "POST", status: 503 });

    loki.mode = "hang";
    for (let i = 0; i < 60; i++) {
      const started = Date.now();
      assert.equal((await postVote(vote.url, "vote=a")).status, 503);
      assert.ok(Date.now() - started < 1_000, "requests do not wait for Loki");
    }
    await waitFor("drops counted", async () => sumOf(await scrape(vote.url), "log_shipping_dropped_total") >= 40);
    const exit = await vote.stop(10_000);
    assert.deepEqual(exit, { code: 0, signal: null }, "shutdown with Loki stuck still ends cleanly");
  });
});

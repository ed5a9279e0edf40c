/**
 * npm run bench: throughput, latency, instrumentation overhead, worker drain rate and memory of the
 * services, measured in one run on this machine against 127.0.0.1. Ends with one JSON line.
 *
 * The services run as the images run them: the tsc output (services/dist, built first) with
 * NODE_ENV=production, not through tsx (which adds about 20 MiB of resident memory).
 *
 * Settings (env): BENCH_SECONDS per measurement (2), BENCH_ROUNDS (9), BENCH_CONNECTIONS (50),
 * BENCH_DRAIN_VOTES (200000), BENCH_LOADGEN=autocannon to skip wrk, BENCH_STRICT=1 to exit 1 on a missed target.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Redis from "ioredis";
import { Client } from "pg";
import { startPostgres } from "../processes/postgres";
import { startRedis } from "../processes/redis";
import { RunningService, startService } from "../processes/service";
import { startBareServer } from "./bare-server";
import { chooseLoadGenerator, LoadResult, LoadSpec } from "./load";
import { instrumentationNanosPerRequest } from "./instrumentation-cost";
import { cpuSeconds, rssMiB } from "./proc-stats";
import { livePercent } from "../status/lights";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DRAIN_VOTES = Number(process.env.BENCH_DRAIN_VOTES ?? 200_000);

const run = promisify(execFile);
const REPO = join(__dirname, "..");
const TARGETS = { overheadRatio: 0.05, voteOverBare: 0.6, drainOverIngest: 1.5, maxRssMiB: 150 };

interface Measured extends LoadResult {
  /** CPU time the server used per answered request: steadier than req/s when other processes compete. */
  cpuMicrosPerRequest: number;
}

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];
const median = (values: number[]): number => quantile(values, 0.5);
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const say = (line: string): void => void process.stderr.write(`${line}\n`);

function postVote(url: string): LoadSpec {
  return { url: `${url}/`, method: "POST", body: "vote=a", contentType: "application/x-www-form-urlencoded", connections: CONNECTIONS, seconds: SECONDS };
}

async function main(): Promise<void> {
  const benchStarted = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "voteobs-svc-bench-"));
  const undo: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stopAll = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));
  try {
    const loadgen = await chooseLoadGenerator(dir);
    say(`load generator: ${loadgen.name}, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds`);
    const [redisServer, postgres] = await Promise.all([startRedis({ dataDir: join(dir, "redis") }), startPostgres({ durable: true })]);
    undo.push(() => redisServer.stop(), () => postgres.destroy());
    const redis = new Redis(redisServer.url);
    undo.push(async () => redis.disconnect());

    say("compiling the services (tsc -p services/tsconfig.build.json)");
    await run(join(REPO, "node_modules", ".bin", "tsc"), ["-p", join(REPO, "services", "tsconfig.build.json")]);
    const env = { REDIS_URL: redisServer.url, DATABASE_URL: postgres.url, NODE_ENV: "production" };
    const [vote, voteWithoutMetrics, result] = await Promise.all([
      startService({ name: "vote", entry: "compiled", env, waitForReadiness: true }),
      startService({ name: "vote", entry: "compiled", env: { ...env, METRICS: "off" }, waitForReadiness: true }),
      startService({ name: "result", entry: "compiled", env, waitForReadiness: true }),
    ]);
    const bare = await startBareServer();
    undo.push(() => vote.stop(), () => voteWithoutMetrics.stop(), () => result.stop(), () => bare.process.stop());

    // Warm-up: JIT, connection pools, Redis memory.
    for (const url of [vote.url, voteWithoutMetrics.url, bare.url]) await loadgen.run({ ...postVote(url), seconds: 2 });
    const resultLoad: LoadSpec = { url: `${result.url}/api/results`, method: "GET", connections: CONNECTIONS, seconds: 2 };
    await loadgen.run(resultLoad);
    await redis.del("votes");

    // Interleaved rounds in alternating order; the ratios are taken within each round and their median
    // reported, so that load from other processes on the machine cancels out as far as possible.
    const targets = { vote, voteWithoutMetrics, bare } as const;
    type Target = keyof typeof targets;
    const runs: Record<Target, Measured[]> = { vote: [], voteWithoutMetrics: [], bare: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const order: Target[] = i % 2 === 0 ? ["vote", "voteWithoutMetrics", "bare"] : ["bare", "voteWithoutMetrics", "vote"];
      for (const target of order) {
        const { url, process: child } = targets[target];
        const cpuBefore = cpuSeconds(child.pid);
        const load = await loadgen.run(postVote(url));
        const cpuMicrosPerRequest = ((cpuSeconds(child.pid) - cpuBefore) * 1e6) / (load.rps * SECONDS);
        runs[target].push({ ...load, cpuMicrosPerRequest });
        say(`  round ${i + 1} ${target.padEnd(18)} ${load.rps.toFixed(0).padStart(7)} req/s  p50 ${load.p50Ms.toFixed(2)} ms  p99 ${load.p99Ms.toFixed(2)} ms  ${cpuMicrosPerRequest.toFixed(0)} µs CPU/req  errors ${load.errors}`);
        await redis.del("votes");
      }
    }
    const perRoundValues = (f: (round: Record<Target, Measured>) => number): number[] =>
      runs.vote.map((_, i) => f({ vote: runs.vote[i], voteWithoutMetrics: runs.voteWithoutMetrics[i], bare: runs.bare[i] }));
    const perRound = (f: (round: Record<Target, Measured>) => number): number => median(perRoundValues(f));
    // The spread of the per-round overhead shows how much of it is the machine rather than the code.
    const overheadRounds = perRoundValues((r) => 1 - r.vote.rps / r.voteWithoutMetrics.rps);
    const overheadSpread = `middle half of rounds ${livePercent(quantile(overheadRounds, 0.25))} to ${livePercent(quantile(overheadRounds, 0.75))}`;
    const summary = (results: Measured[]): Measured => ({
      rps: median(results.map((r) => r.rps)),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      cpuMicrosPerRequest: median(results.map((r) => r.cpuMicrosPerRequest)),
    });
    const voteRun = summary(runs.vote);
    const plainRun = summary(runs.voteWithoutMetrics);
    const bareRun = summary(runs.bare);
    const overheadRatio = perRound((r) => 1 - r.vote.rps / r.voteWithoutMetrics.rps);
    const voteOverBare = perRound((r) => r.vote.rps / r.bare.rps);
    const cpuOverhead = perRound((r) => r.vote.cpuMicrosPerRequest / r.voteWithoutMetrics.cpuMicrosPerRequest - 1);
    const resultRun = await loadgen.run({ ...resultLoad, seconds: 3 });

    // Drain: the queue prefilled with distinct voters, then one worker started; time until it is empty.
    await redis.del("votes");
    for (let i = 0; i < DRAIN_VOTES; i += 1_000) {
      const chunk = Array.from({ length: Math.min(1_000, DRAIN_VOTES - i) }, (_, j) => JSON.stringify({ voter_id: `bench-${i + j}`, vote: (i + j) % 2 ? "a" : "b", ts: Date.now() }));
      await redis.rpush("votes", ...chunk);
    }
    const worker: RunningService = await startService({ name: "worker", entry: "compiled", env });
    undo.push(() => worker.stop());
    const drain = await timeDrain(redis, DRAIN_VOTES);
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    const stored = Number((await pg.query<{ n: string }>("SELECT count(*) AS n FROM votes")).rows[0].n);
    await pg.end();
    if (stored !== DRAIN_VOTES) throw new Error(`drain check: ${stored} rows stored, ${DRAIN_VOTES} expected`);

    const recordNanos = instrumentationNanosPerRequest();
    const rss = { vote: rssMiB(vote.process.pid), worker: rssMiB(worker.process.pid), result: rssMiB(result.process.pid) };
    const figures = {
      voteRps: round(voteRun.rps, 0),
      voteP50Ms: round(voteRun.p50Ms),
      voteP99Ms: round(voteRun.p99Ms),
      overheadRatio: round(overheadRatio, 3),
      voteOverBare: round(voteOverBare, 3),
      drainRate: round(drain.rate, 0),
      drainOverIngest: round(drain.rate / voteRun.rps, 2),
      maxRssMiB: round(Math.max(rss.vote, rss.worker, rss.result), 1),
    };

    const row = (name: string, r: LoadResult & { cpuMicrosPerRequest?: number }): string[] => [
      name, r.rps.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.cpuMicrosPerRequest === undefined ? "" : r.cpuMicrosPerRequest.toFixed(0), String(r.errors),
    ];
    const rows: string[][] = [
      row("vote POST / (metrics on)", voteRun),
      row("vote POST / (METRICS=off)", plainRun),
      row("bare node:http 200", bareRun),
      row("result GET /api/results", resultRun),
      ["worker drain (votes/s)", drain.rate.toFixed(0), "", "", "", `${DRAIN_VOTES} in ${drain.seconds.toFixed(2)} s`],
    ];
    const check = (ok: boolean): string => (ok ? "ok" : "MISSED");
    const verdicts = {
      overheadRatio: figures.overheadRatio <= TARGETS.overheadRatio,
      voteOverBare: figures.voteOverBare >= TARGETS.voteOverBare,
      drainOverIngest: figures.drainOverIngest >= TARGETS.drainOverIngest,
      maxRssMiB: figures.maxRssMiB <= TARGETS.maxRssMiB,
    };
    console.log("");
    console.log(`${"measurement".padEnd(28)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"CPU µs/req".padStart(12)}  non-2xx`);
    for (const [name, rps, p50, p99, cpu, extra] of rows) console.log(`${name.padEnd(28)}${rps.padStart(9)}${p50.padStart(9)}${p99.padStart(9)}${cpu.padStart(12)}  ${extra}`);
    console.log("");
    console.log(`instrumentation overhead   ${livePercent(figures.overheadRatio)} of throughput   (target <= 5%)     ${check(verdicts.overheadRatio)}   [${overheadSpread}; CPU per request ${livePercent(cpuOverhead)}]`);
    console.log(`  HTTP metrics cost per request, measured in-process: ${recordNanos.toFixed(0)} ns = ${livePercent(recordNanos / 1000 / voteRun.cpuMicrosPerRequest)} of the vote's CPU per request`);
    console.log(`vote / bare node:http      ${figures.voteOverBare.toFixed(2)}                    (target >= 0.60)   ${check(verdicts.voteOverBare)}`);
    console.log(`worker drain / vote ingest ${figures.drainOverIngest.toFixed(2)}                    (target >= 1.5)    ${check(verdicts.drainOverIngest)}`);
    console.log(`RSS MiB vote/worker/result ${rss.vote.toFixed(1)} / ${rss.worker.toFixed(1)} / ${rss.result.toFixed(1)}   (target <= 150)    ${check(verdicts.maxRssMiB)}`);
    console.log(`(${loadgen.name}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s, medians of per-round ratios; total ${((Date.now() - benchStarted) / 1000).toFixed(0)} s)`);
    console.log(JSON.stringify({
      voteRps: figures.voteRps,
      voteP99Ms: figures.voteP99Ms,
      overheadRatio: figures.overheadRatio,
      voteOverBare: figures.voteOverBare,
      drainOverIngest: figures.drainOverIngest,
      maxRssMiB: figures.maxRssMiB,
    }));
    if (process.env.BENCH_STRICT === "1" && Object.values(verdicts).includes(false)) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

/** Polls the queue until pending and processing are empty; the clock starts when the first vote leaves. */
async function timeDrain(redis: Redis, total: number): Promise<{ rate: number; seconds: number }> {
  const deadline = Date.now() + 120_000;
  const remaining = async (): Promise<number> => {
    let count = await redis.llen("votes");
    for (const key of await redis.keys("votes:processing:*")) count += await redis.llen(key);
    return count;
  };
  let started: number | undefined;
  let startCount = total;
  for (;;) {
    const now = Date.now();
    const left = await remaining();
    if (started === undefined && (await redis.llen("votes")) < total) {
      started = now;
      startCount = left;
    }
    if (started !== undefined && left === 0) {
      const seconds = (Date.now() - started) / 1000;
      return { rate: startCount / seconds, seconds };
    }
    if (now > deadline) throw new Error(`queue not drained in 120 s (${left} left)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});

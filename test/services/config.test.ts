import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadResultConfig } from "../../services/result/src/config";
import { ConfigError } from "../../services/shared/src/env";
import { SERVICE_VERSION } from "../../services/shared/src/version";
import { loadVoteConfig } from "../../services/vote/src/config";
import { loadWorkerConfig } from "../../services/worker/src/config";
import { Cleanup } from "./helpers/cleanup";
import { tempDir } from "./helpers/temp";

const cleanup = new Cleanup();
after(() => cleanup.run());
const REPO = join(__dirname, "..", "..");

function configError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("expected the configuration to be refused");
}

describe("service configuration", () => {
  test("defaults need no environment at all", () => {
    const vote = loadVoteConfig({});
    assert.equal(vote.port, 8080);
    assert.deepEqual(vote.redis, { url: "redis://127.0.0.1:6379", password: undefined });
    assert.deepEqual(vote.options, { a: "Cats", b: "Dogs" });
    assert.deepEqual(vote.faultInjection, { enabled: false, errorRatio: 0 });
    assert.equal(vote.httpMetrics, true);
    assert.equal(vote.lokiUrl, undefined);
    const worker = loadWorkerConfig({});
    assert.equal(worker.batchSize, 100);
    assert.equal(worker.postgres.host, "127.0.0.1");
    assert.match(worker.workerId, /^.+-[0-9a-f]{8}$/);
    assert.notEqual(loadWorkerConfig({}).workerId, worker.workerId, "each worker process gets its own id");
    assert.equal(loadResultConfig({}).pollMs, 1_000);
    assert.equal(vote.shutdownDrainMs, 0, "no drain on a host; the images set SHUTDOWN_DRAIN_MS");
    assert.equal(vote.httpKeepAliveTimeoutMs, 65_000, "above the 60 s idle timeout of nginx-ingress and AWS ALB");
    assert.equal(loadVoteConfig({ SHUTDOWN_DRAIN_MS: "5000" }).shutdownDrainMs, 5_000, "the image's drain fits the default deadline");
  });

  test("each invalid variable is refused with one line naming it and what is allowed", () => {
    const cases: [() => unknown, string][] = [
      [() => loadVoteConfig({ PORT: "eighty" }), 'invalid PORT="eighty": expected an integer from 0 to 65535'],
      [() => loadVoteConfig({ PORT: "70000" }), 'invalid PORT="70000": expected an integer from 0 to 65535'],
      [() => loadVoteConfig({ REDIS_URL: "localhost:6379" }), 'invalid REDIS_URL="localhost:6379": expected a URL starting with redis:// or rediss://'],
      [() => loadVoteConfig({ FAULT_INJECTION: "yes" }), 'invalid FAULT_INJECTION="yes": expected one of enabled, disabled'],
      [() => loadVoteConfig({ FAULT_ERROR_RATIO: "1.5" }), 'invalid FAULT_ERROR_RATIO="1.5": expected a number from 0 to 1'],
      [() => loadVoteConfig({ LOG_LEVEL: "loud" }), 'invalid LOG_LEVEL="loud": expected one of error, warn, info, http, verbose, debug, silly'],
      [() => loadVoteConfig({ METRICS: "maybe" }), 'invalid METRICS="maybe": expected one of on, off'],
      [() => loadVoteConfig({ LOKI_URL: "loki:3100" }), 'invalid LOKI_URL="loki:3100": expected a URL starting with http:// or https://'],
      [() => loadVoteConfig({ OPTION_A: "x".repeat(65) }), `invalid OPTION_A="${"x".repeat(65)}": expected at most 64 characters`],
      [() => loadWorkerConfig({ WORKER_BATCH_SIZE: "0" }), 'invalid WORKER_BATCH_SIZE="0": expected an integer from 1 to 5000'],
      [() => loadWorkerConfig({ WORKER_ID: "has space" }), 'invalid WORKER_ID="has space": expected 1 to 128 letters, digits or . _ : -'],
      [() => loadWorkerConfig({ DATABASE_URL: "mysql://db" }), 'invalid DATABASE_URL="mysql://db": expected a URL starting with postgres:// or postgresql://'],
      [
        () => loadWorkerConfig({ DATABASE_URL: "mysql://app:s3cret@db/votes" }),
        'invalid DATABASE_URL="mysql://***@db/votes": expected a URL starting with postgres:// or postgresql://',
      ],
      [() => loadVoteConfig({ REDIS_URL: "http://:s3cret@redis:6379" }), 'invalid REDIS_URL="http://***@redis:6379": expected a URL starting with redis:// or rediss://'],
      [() => loadWorkerConfig({ PGPORT: "-1" }), 'invalid PGPORT="-1": expected an integer from 0 to 65535'],
      [() => loadResultConfig({ RESULT_POLL_MS: "1s" }), 'invalid RESULT_POLL_MS="1s": expected an integer from 50 to 60000'],
      [() => loadResultConfig({ POSTGRES_PASSWORD_FILE: "/nonexistent/secret" }), 'invalid POSTGRES_PASSWORD_FILE="/nonexistent/secret": expected a readable file (ENOENT)'],
      [() => loadVoteConfig({ SHUTDOWN_DRAIN_MS: "-1" }), 'invalid SHUTDOWN_DRAIN_MS="-1": expected an integer from 0 to 600000'],
      [
        () => loadVoteConfig({ SHUTDOWN_DRAIN_MS: "9000", SHUTDOWN_TIMEOUT_MS: "10000" }),
        "invalid SHUTDOWN_DRAIN_MS=9000 with SHUTDOWN_TIMEOUT_MS=10000: expected SHUTDOWN_DRAIN_MS to be at least 2000 below SHUTDOWN_TIMEOUT_MS (the drain is part of the shutdown deadline)",
      ],
      [
        () => loadWorkerConfig({ WORKER_HEARTBEAT_TTL_MS: "1000", WORKER_IDLE_BLOCK_MS: "1000" }),
        "invalid WORKER_HEARTBEAT_TTL_MS=1000 with WORKER_IDLE_BLOCK_MS=1000: expected WORKER_HEARTBEAT_TTL_MS to be greater than WORKER_IDLE_BLOCK_MS (the heartbeat must outlive a blocking wait)",
      ],
      [() => loadResultConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: "500" }), 'invalid HTTP_KEEP_ALIVE_TIMEOUT_MS="500": expected an integer from 1000 to 3600000'],
    ];
    for (const [load, message] of cases) assert.equal(configError(load), message);
  });

  test("the Postgres password comes from PGPASSWORD or a secret file, not both", async () => {
    const dir = await tempDir(cleanup, "config");
    const secret = join(dir, "password");
    writeFileSync(secret, "s3cret value\n");
    assert.equal(loadWorkerConfig({ POSTGRES_PASSWORD_FILE: secret }).postgres.password, "s3cret value");
    assert.equal(loadWorkerConfig({ PGPASSWORD: " spaced " }).postgres.password, " spaced ");
    assert.match(configError(() => loadWorkerConfig({ PGPASSWORD: "a", POSTGRES_PASSWORD_FILE: secret })), /only one of them/);
  });

  test("the Redis password comes from REDIS_PASSWORD_FILE or REDIS_PASSWORD, not both, and never with one in REDIS_URL", async () => {
    const dir = await tempDir(cleanup, "config-redis");
    const secret = join(dir, "redis-password");
    writeFileSync(secret, " s3cret value\n");
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n");
    assert.equal(loadVoteConfig({ REDIS_PASSWORD_FILE: secret }).redis.password, " s3cret value", "trailing newline dropped, spaces kept");
    assert.equal(loadWorkerConfig({ REDIS_PASSWORD_FILE: secret }).redis.password, " s3cret value");
    assert.equal(loadWorkerConfig({ REDIS_PASSWORD: "inline" }).redis.password, "inline");
    const cases: [() => unknown, string][] = [
      [() => loadVoteConfig({ REDIS_PASSWORD: "a", REDIS_PASSWORD_FILE: secret }), "invalid REDIS_PASSWORD and REDIS_PASSWORD_FILE: expected only one of them to be set"],
      [() => loadWorkerConfig({ REDIS_PASSWORD_FILE: "/nonexistent/redis" }), 'invalid REDIS_PASSWORD_FILE="/nonexistent/redis": expected a readable file (ENOENT)'],
      [() => loadVoteConfig({ REDIS_PASSWORD_FILE: empty }), `invalid REDIS_PASSWORD_FILE=${JSON.stringify(empty)}: expected a file holding the password (it is empty)`],
      [
        () => loadVoteConfig({ REDIS_URL: "redis://:inurl@redis:6379", REDIS_PASSWORD_FILE: secret }),
        "invalid REDIS_URL: expected no password in it when REDIS_PASSWORD or REDIS_PASSWORD_FILE is set",
      ],
    ];
    for (const [load, message] of cases) assert.equal(configError(load), message);
  });

  test("a service with an invalid variable exits with code 2 and one line on stderr", () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ["vote", { FAULT_ERROR_RATIO: "2" }, /^vote: configuration error: invalid FAULT_ERROR_RATIO="2": expected a number from 0 to 1\n$/],
      ["worker", { WORKER_BATCH_SIZE: "many" }, /^worker: configuration error: invalid WORKER_BATCH_SIZE="many": expected an integer from 1 to 5000\n$/],
      ["worker", { WORKER_HEARTBEAT_TTL_MS: "500", WORKER_IDLE_BLOCK_MS: "2000" }, /^worker: configuration error: invalid WORKER_HEARTBEAT_TTL_MS=500 with WORKER_IDLE_BLOCK_MS=2000: expected WORKER_HEARTBEAT_TTL_MS to be greater than WORKER_IDLE_BLOCK_MS/],
      ["result", { PORT: "http" }, /^result: configuration error: invalid PORT="http": expected an integer from 0 to 65535\n$/],
    ];
    for (const [name, env, expected] of cases) {
      const run = spawnSync(process.execPath, ["--import", "tsx", join("services", name, "src", "main.ts")], {
        cwd: REPO,
        env: { PATH: process.env.PATH, ...env },
        encoding: "utf8",
        timeout: 15_000,
      });
      assert.equal(run.status, 2, `${name} exit code (stderr: ${run.stderr})`);
      assert.match(run.stderr, expected);
      assert.equal(run.stdout, "");
    }
  });
});

describe("services/package.json", () => {
  const root = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const services = JSON.parse(readFileSync(join(REPO, "services", "package.json"), "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const lock = JSON.parse(readFileSync(join(REPO, "services", "package-lock.json"), "utf8")) as { packages: Record<string, { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }> };

  test("lists the runtime dependencies with the same ranges as the root package.json", () => {
    assert.deepEqual(Object.keys(services.dependencies).sort(), ["ioredis", "pg", "prom-client", "winston", "winston-loki"]);
    for (const [name, range] of Object.entries(services.dependencies)) assert.equal(range, root.dependencies[name], name);
    for (const [name, range] of Object.entries(services.devDependencies)) assert.equal(range, root.devDependencies[name], name);
  });

  test("its lock file matches it, so npm ci in the Dockerfiles installs exactly these", () => {
    assert.deepEqual(lock.packages[""].dependencies, services.dependencies);
    assert.deepEqual(lock.packages[""].devDependencies, services.devDependencies);
  });

  test("the version reported in voteobs_build_info is the package version", () => {
    assert.equal(SERVICE_VERSION, services.version);
  });
});

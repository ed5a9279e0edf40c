import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { APP_SERVICES } from "../../config/components";
import { stackSchema } from "../../config/schema";
import { appEnvironment } from "../../render/app-environment";
import { dockerTopology, kubernetesTopology } from "../../render/topology";
import { localTopology, LOCAL_COMPONENTS, type LocalPorts } from "../../local/topology";

const ROOT = resolve(__dirname, "../..");
const config = stackSchema.parse({});
const localPorts = Object.fromEntries(LOCAL_COMPONENTS.map((c, i) => [c, 20_000 + i])) as LocalPorts;
const TARGETS = {
  docker: dockerTopology().app,
  kubernetes: kubernetesTopology("voteobs", 3).app,
  local: localTopology(localPorts, "/state").app,
};

/** Every variable the services read (env helpers of services/shared/src/env.ts take the name second). */
function variablesTheServicesRead(): Set<string> {
  const names = new Set<string>();
  for (const dir of ["shared", "vote", "worker", "result"]) {
    const folder = join(ROOT, "services", dir, "src");
    for (const file of readdirSync(folder)) {
      const text = readFileSync(join(folder, file), "utf8");
      for (const match of text.matchAll(/\benv(?:, |\[)"([A-Z][A-Z0-9_]*)"/g)) names.add(match[1]);
    }
  }
  return names;
}

describe("appEnvironment: one mapping from config and addresses to each service's environment", () => {
  it("every target gives each service the same variables, only the addresses differ", () => {
    const keys = Object.fromEntries(Object.entries(TARGETS).map(([target, addresses]) => [target, Object.fromEntries(APP_SERVICES.map((s) => [s, Object.keys(appEnvironment(config, addresses)[s])]))]));
    assert.deepEqual(keys.kubernetes, keys.docker);
    assert.deepEqual(keys.local, keys.docker);
  });

  it("each service listens on its own port (not vote's)", () => {
    const local = appEnvironment(config, TARGETS.local);
    for (const service of APP_SERVICES) assert.equal(local[service].PORT, String(localPorts[service]), service);
    assert.equal(local.vote.HOST, "127.0.0.1");
    assert.equal(appEnvironment(config, TARGETS.docker).worker.HOST, "0.0.0.0");
  });

  it("vote reaches only Redis, result only Postgres, the worker both", () => {
    const env = appEnvironment(config, TARGETS.kubernetes);
    assert.equal(env.vote.REDIS_URL, "redis://redis.voteobs.svc:6379");
    assert.equal(env.vote.PGHOST, undefined);
    assert.equal(env.result.REDIS_URL, undefined);
    assert.equal(env.result.PGHOST, "postgres.voteobs.svc");
    assert.ok(env.worker.REDIS_URL && env.worker.PGHOST);
  });

  it("secrets appear only as file paths; every typed value reaches the service that reads it", () => {
    const custom = stackSchema.parse({ app: { options: { a: "Tea", b: "Coffee" }, workerBatchSize: 250, logLevel: "debug", faultInjection: { enabled: true, errorRatio: 0.3 } } });
    const env = appEnvironment(custom, TARGETS.docker);
    assert.equal(env.vote.REDIS_PASSWORD_FILE, TARGETS.docker.secretFiles.redisPassword);
    assert.equal(env.worker.POSTGRES_PASSWORD_FILE, TARGETS.docker.secretFiles.postgresPassword);
    for (const service of APP_SERVICES) for (const name of Object.keys(env[service])) assert.doesNotMatch(name, /PASSWORD$/, `${service}: ${name} would carry a secret value`);
    assert.deepEqual([env.vote.OPTION_A, env.result.OPTION_B, env.worker.WORKER_BATCH_SIZE, env.vote.LOG_LEVEL, env.vote.FAULT_INJECTION, env.vote.FAULT_ERROR_RATIO], ["Tea", "Coffee", "250", "debug", "enabled", "0.3"]);
  });

  it("no target makes the services push their own logs: Alloy ships container output, the local target writes files", () => {
    for (const [target, addresses] of Object.entries(TARGETS)) for (const service of APP_SERVICES) assert.equal(appEnvironment(config, addresses)[service].LOKI_URL, undefined, `${target} ${service}`);
  });

  it("names only variables the services read", () => {
    const read = variablesTheServicesRead();
    for (const service of APP_SERVICES) for (const name of Object.keys(appEnvironment(config, TARGETS.docker)[service])) assert.ok(read.has(name), `${service}: ${name} is set but no service reads it`);
  });
});

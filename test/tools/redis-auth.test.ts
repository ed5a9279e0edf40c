import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getFreePort } from "../../processes/ports";
import { redisExporterFlags } from "../../render/exporter-flags";
import { redisAclFile, redisExporterPasswordFile, redisPingCommand } from "../../render/redis";
import { toolPath } from "../../toolchain";

/**
 * The Redis authentication the stacks place (render/redis.ts), run for real on 127.0.0.1: Redis
 * with the rendered ACL file (the password's hash only), the healthcheck command, and the pinned
 * redis_exporter with its rendered password file.
 */

const PASSWORD = "Generated0Password0Of032Letters0";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

describe("Redis authentication as the stacks place it", () => {
  const dir = mkdtempSync(join(tmpdir(), "voteobs-redis-auth-"));
  const passwordFile = join(dir, "redis-password");
  const wrongPasswordFile = join(dir, "wrong-password");
  let port: number;
  let redis: ChildProcess;
  const exporters: ChildProcess[] = [];
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", timeout: 5_000, env: { PATH: process.env.PATH, ...env } });

  before(async () => {
    writeFileSync(join(dir, "users.acl"), redisAclFile(PASSWORD));
    writeFileSync(passwordFile, PASSWORD);
    writeFileSync(wrongPasswordFile, "not-the-password");
    port = await getFreePort();
    redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--aclfile", join(dir, "users.acl"), "--daemonize", "no", "--loglevel", "warning"], { stdio: "ignore" });
    await until("redis-server to answer", () => /NOAUTH|PONG/.test(cli(["ping"]).stdout + cli(["ping"]).stderr));
  });

  after(async () => {
    await Promise.all([...exporters.map(stop), stop(redis)]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("the ACL file holds the password's SHA-256, never the password", () => {
    assert.match(redisAclFile(PASSWORD), /^user default on #[0-9a-f]{64} ~\* &\* \+@all\n$/);
    assert.ok(!redisAclFile(PASSWORD).includes(PASSWORD));
  });

  it("Redis refuses a client without the password and accepts one with it", () => {
    assert.match(cli(["ping"]).stdout, /NOAUTH/);
    assert.equal(cli(["ping"], { REDISCLI_AUTH: PASSWORD }).stdout.trim(), "PONG");
  });

  it("the healthcheck passes with the password file and fails with a wrong one", () => {
    assert.equal(spawnSync("sh", ["-c", redisPingCommand(passwordFile, port)], { timeout: 5_000 }).status, 0);
    assert.notEqual(spawnSync("sh", ["-c", redisPingCommand(wrongPasswordFile, port)], { timeout: 5_000 }).status, 0);
  });

  for (const [name, password, up] of [
    ["its password file", PASSWORD, 1],
    ["a wrong password file", "not-the-password", 0],
  ] as const) {
    it(`redis_exporter v1.88 with ${name} reports redis_up ${up}`, async () => {
      const address = `redis://127.0.0.1:${port}`;
      const file = join(dir, `exporter-${up}.json`);
      writeFileSync(file, redisExporterPasswordFile(address, password));
      const listen = await getFreePort();
      const exporter = spawn(toolPath("redis_exporter"), redisExporterFlags(`127.0.0.1:${listen}`, undefined, file), { stdio: "ignore", env: { ...process.env, REDIS_ADDR: address } });
      exporters.push(exporter);
      let metrics = "";
      await until("redis_exporter /metrics", async () => {
        metrics = await fetch(`http://127.0.0.1:${listen}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), () => "");
        return /^redis_up \d/m.test(metrics);
      });
      assert.match(metrics, new RegExp(`^redis_up ${up}$`, "m"));
      await stop(exporter);
    });
  }
});

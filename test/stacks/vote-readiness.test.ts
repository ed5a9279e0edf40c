// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { buildGraph, loadGenerated, loadStack, reveal, type Graph } from "./harness";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getFreePort } from "../../processes/ports";
import { httpStatus, startService, type RunningService } from "../../processes/service";
import { containerOf, envOf } from "./k8s-objects";

/**
 * Issue 11 point 8: a Redis outage pages the same way on every target. The real vote service runs
 * here with its Kubernetes environment and no Redis behind REDIS_URL; the test asks it exactly what
 * each target asks it. On Kubernetes the readiness probe decides whether the Service sends vote
 * traffic at all: it must stay ready, or users get the ingress' own errors that vote never counts.
 * On Docker nothing takes a container out of its network alias; its healthcheck only flags it. In
 * both, the 5xx vote answers must reach http_requests_total, which VoteHighErrorRate reads.
 */

let k8s: Graph;
let docker: Graph;
let vote: RunningService;
let secretDir: string;

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) }, timeout: 5_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("timeout", () => req.destroy(new Error("POST / timed out")));
    req.once("error", reject);
    req.end(body);
  });
}

async function metrics(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  return response.text();
}

before(async () => {
  const k8sStack = loadStack("k8s");
  k8s = await buildGraph(k8sStack.config, k8sStack.secrets);
  const dev = loadStack("dev");
  docker = await buildGraph(dev.config, dev.secrets, "voteobs-dev");
  secretDir = mkdtempSync(join(tmpdir(), "voteobs-vote-readiness-"));
  writeFileSync(join(secretDir, "redis-password"), "not-used-redis-is-down");
  // Redis is down: nothing listens on this port.
  const redisPort = await getFreePort();
  const env = { ...envOf(containerOf(k8s, "vote")), REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PASSWORD_FILE: join(secretDir, "redis-password") };
  vote = await startService({ name: "vote", env });
});

after(async () => {
  await vote?.stop();
  if (secretDir) rmSync(secretDir, { recursive: true, force: true });
});

describe("a Redis outage reaches vote's metrics on every target", () => {
  it("Kubernetes: vote stays a ready endpoint (its readiness path does not depend on Redis) and stays alive", async () => {
    const c = containerOf(k8s, "vote");
    assert.equal(await httpStatus(vote.port, c.readinessProbe!.httpGet!.path), 200, `readiness ${c.readinessProbe!.httpGet!.path} must not fail while Redis is down, or the Service stops sending vote any traffic`);
    assert.equal(await httpStatus(vote.port, c.livenessProbe!.httpGet!.path), 200, "liveness");
  });

  it("Docker: the container stays healthy, and its alias keeps routing to it", async () => {
    const container = docker.ofType("docker:index/container:Container").map((r) => reveal<{ name: string; healthcheck: { tests: string[] } }>(r.inputs)).find((c) => c.name.endsWith("-vote"))!;
    const path = /path:'([^']+)'|(\/[a-z]+z)\b/.exec(container.healthcheck.tests.join(" "));
    assert.ok(path, container.healthcheck.tests.join(" "));
    assert.equal(await httpStatus(vote.port, path[1] ?? path[2]), 200);
  });

  it("votes answer 5xx and are counted in http_requests_total{service=\"vote\",status=\"5xx\"}, which VoteHighErrorRate reads on both targets", async () => {
    const status = await post(vote.url, "vote=a");
    assert.ok(status >= 500 && status < 600, `POST / with Redis down answers ${status}`);
    const text = await metrics(vote.url);
    const counted = text.split("\n").filter((l) => l.startsWith("http_requests_total{") && l.includes('service="vote"') && l.includes('status="5xx"'));
    assert.ok(counted.length > 0 && counted.some((l) => Number(l.split(" ").pop()) >= 1), `the 5xx is counted:\n${counted.join("\n")}`);
    for (const stack of ["dev", "k8s"]) {
      const rules = loadGenerated(stack)["prometheus/rules/user-experience.yml"];
      assert.match(rules, /- alert: VoteHighErrorRate\n\s+expr: \|-\n\s+sum by \(service\) \(rate\(http_requests_total\{service="vote",status="5xx"\}/, `${stack}: VoteHighErrorRate reads that counter`);
    }
  });
});

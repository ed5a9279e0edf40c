import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { remoteWritePasswordFile, remoteWriteTokenFile } from "../../config/secrets";
import { TIME_SCALED_PROFILE } from "../../local/profiles";
import { startLocalStack, type LocalStack } from "../../local/stack";
import { startTraffic, type Traffic } from "../../local/traffic";
import { ABSENT_COMPONENTS, localPaths } from "../../local/topology";
import type { PrometheusServer } from "../../processes/prometheus";
import { kubernetesTopology, renderAll } from "../../render";
import { toolPath } from "../../toolchain";
import { run, tempDir, writeFiles } from "../support/exec";
import { devConfig, topologyUnder } from "../support/render";
import { requireLocalPackages, setFaultRatio } from "./support/app";
import { dashboardQueries, withGrafanaVariables } from "./support/dashboards";
import { onlyOfAbsent, vectorSelectors } from "./support/live-queries";
import { newestSample, rawSamples, sampleDifferences, startGateway, startReceiver, type StoreGateway } from "./support/remote-store";
import { alertRule } from "./support/rules";
import { report } from "./support/stack";
import { secondsSince, sleep, waitUntil } from "./support/wait";

requireLocalPackages();
const PROMTOOL = toolPath("promtool");

const PASSWORD = "remote-write-password-from-a-file";
const TOKEN = "remote-write-token-from-a-file";
const TENANT = "voting";
const CLUSTER = "e2e-remote-write";
const OUTAGE_MS = 10_000;

/** The two stores of the drill: Mimir-style (1.0, basic auth, tenant, used metrics) and a generic 2.0 one (bearer, everything). */
function remoteWrite(gatewayUrl: string): Record<string, unknown>[] {
  // Time-scaled as the rest of the profile: a 1s scrape, so batches leave within a second and retries stay short.
  const queue = { batchSendDeadline: "1s", maxBackoff: "2s" };
  return [
    { name: "mimir", kind: "mimir", url: `${gatewayUrl}/mimir/api/v1/push`, protocol: "1.0", auth: { type: "basic", username: "voteobs", password: { file: "/set/by/the/target" } }, headers: { "X-Scope-OrgID": TENANT }, queue },
    { name: "store-v2", kind: "generic", url: `${gatewayUrl}/v2/api/v1/write`, protocol: "2.0", auth: { type: "bearer", token: { file: "/set/by/the/target" } }, writeRelabel: { metrics: "all" }, queue },
  ];
}

describe("promtool accepts every remote_write the render can produce", () => {
  const dir = tempDir("remote-write-promtool");
  after(dir.cleanup);

  for (const target of ["docker", "kubernetes"] as const) {
    it(`${target}: basic and bearer auth, tenant header, protocol 1.0 and 2.0, allow-list and labeldrop, replicas`, () => {
      const root = join(dir.path, target);
      const overlay = {
        target,
        kubernetes: { prometheusReplicas: target === "kubernetes" ? 2 : 1 },
        prometheus: { remoteWrite: [...remoteWrite("https://gateway.example.com"), { name: "vm", kind: "victoriametrics", url: "https://vm.example.com/api/v1/write", writeRelabel: { dropLabels: ["instance"] } }] },
      };
      const base = target === "kubernetes" ? kubernetesTopology("voteobs", 3) : undefined;
      const files = renderAll(devConfig(overlay), topologyUnder(root, base));
      const prometheus = parse(files["prometheus/prometheus.yml"]);
      // Only the kubelet's service-account files are moved (they exist only inside a pod): remote_write is checked as rendered.
      for (const job of prometheus.scrape_configs) {
        if (job.authorization?.credentials_file) job.authorization.credentials_file = join(root, "token");
        if (job.tls_config?.ca_file) job.tls_config.ca_file = join(root, "ca.crt");
      }
      writeFiles(root, { ...files, "prometheus/prometheus.yml": stringify(prometheus), token: "t", "ca.crt": "" });
      writeFiles(join(root, "prometheus/secrets"), { "mimir-remote-write-password": PASSWORD, "store-v2-remote-write-token": TOKEN });
      const result = run(PROMTOOL, ["check", "config", join(root, "prometheus/prometheus.yml")]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(prometheus.remote_write.length, 3);
    });
  }
});

/**
 * The local target's Prometheus writes to two real receivers (second and third Prometheus of the
 * pinned toolchain, --web.enable-remote-write-receiver) through a gateway that checks the
 * credentials and the tenant header. Time-scaled: everything within about a minute.
 */
describe("remote write to a long-term store, with real receiving Prometheus", { timeout: 240_000 }, () => {
  let stateDir: string;
  let stack: LocalStack;
  let receivers: { mimir: PrometheusServer; v2: PrometheusServer };
  let gateway: StoreGateway;
  let traffic: Traffic;
  let began: number;
  const stores = () => [
    { name: "mimir", url: receivers.mimir.url },
    { name: "store-v2", url: receivers.v2.url },
  ];

  before(async () => {
    began = Date.now();
    stateDir = mkdtempSync(join(tmpdir(), "voteobs-e2e-remote-write-"));
    receivers = { mimir: await startReceiver(join(stateDir, "receiver-mimir")), v2: await startReceiver(join(stateDir, "receiver-v2")) };
    gateway = await startGateway([
      { path: "/mimir/api/v1/push", receiver: () => receivers.mimir.url, require: { authorization: `Basic ${Buffer.from(`voteobs:${PASSWORD}`).toString("base64")}`, "x-scope-orgid": TENANT } },
      { path: "/v2/api/v1/write", receiver: () => receivers.v2.url, require: { authorization: `Bearer ${TOKEN}` } },
    ]);
    // What a target does with the resolved secrets: files in Prometheus' secrets folder (config/secrets.ts).
    const secrets = localPaths(stateDir).prometheusSecrets;
    mkdirSync(secrets, { recursive: true });
    writeFileSync(join(secrets, remoteWritePasswordFile({ name: "mimir", kind: "mimir" })), PASSWORD);
    writeFileSync(join(secrets, remoteWriteTokenFile({ name: "store-v2", kind: "generic" })), TOKEN);
    stack = await startLocalStack({ stateDir, overlays: [TIME_SCALED_PROFILE, { prometheus: { externalLabels: { cluster: CLUSTER }, remoteWrite: remoteWrite(gateway.url) } }] });
    traffic = startTraffic({ voteUrl: stack.urls.vote, resultUrl: stack.urls.result, votesPerSecond: 10, pageViewsPerSecond: 2 });
    // Some 5xx, so the seed alert's error series exist (2% stays under its 5% threshold).
    await setFaultRatio(stack.urls.vote, 0.02);
    report(`local stack and two receiving Prometheus up in ${secondsSince(began)}s`);
    await waitUntil(
      "both receivers to hold the vote service's requests",
      async () => {
        for (const store of stores()) if ((await newestSample(store.url, `http_requests_total{service="vote", status="5xx"}`)) === undefined) return false;
        return true;
      },
      30_000,
    );
    // Every window compared below lies after the first scrapes.
    await sleep(12_000);
  }, { timeout: 120_000 });

  after(async () => {
    await traffic?.stop();
    await stack?.stop();
    await receivers?.mimir.stop();
    await receivers?.v2.stop();
    await gateway?.close();
    if (stateDir && !process.env.VOTEOBS_E2E_KEEP) rmSync(stateDir, { recursive: true, force: true });
    if (began) report(`remote-write drills took ${secondsSince(began)}s in all`);
  }, { timeout: 60_000 });

  it("the gateway saw the credentials from the files, the tenant header and both protocols", () => {
    const accepted = (path: string) => gateway.requests.filter((r) => r.path === path && r.status === 204);
    assert.ok(accepted("/mimir/api/v1/push").length > 0, "Mimir-style store accepted requests");
    assert.ok(accepted("/v2/api/v1/write").length > 0, "2.0 store accepted requests");
    assert.deepEqual([...new Set(accepted("/mimir/api/v1/push").map((r) => r.version))], ["0.1.0"]);
    assert.deepEqual([...new Set(accepted("/v2/api/v1/write").map((r) => r.version))], ["2.0.0"]);
    assert.ok(accepted("/v2/api/v1/write").every((r) => r.contentType.includes("proto=io.prometheus.write.v2.Request")), "2.0 sends io.prometheus.write.v2.Request");
    assert.deepEqual(gateway.requests.filter((r) => r.status === 401), [], "no request lacked its credentials or tenant");
    const rendered = stack.files["prometheus/prometheus.yml"];
    assert.ok(!rendered.includes(PASSWORD) && !rendered.includes(TOKEN), "prometheus.yml names only the secret files");
  });

  it("every series the seed's alert and the dashboards use arrives in the store, with the external labels", async () => {
    const exprs = [alertRule(stack.files, "VoteHighErrorRate").expr, ...dashboardQueries(stack.files).filter((q) => q.datasource === "prometheus").map((q) => withGrafanaVariables(q.expr))];
    const absent = [...ABSENT_COMPONENTS] as string[];
    const metrics = [...new Set(exprs.flatMap((expr) => vectorSelectors(expr).filter((s) => !onlyOfAbsent(s, absent)).flatMap((s) => (s.metric ? [s.metric] : []))))].sort();
    const seedMetrics = vectorSelectors(alertRule(stack.files, "VoteHighErrorRate").expr).map((s) => s.metric);
    const at = Date.now() - 5_000;
    await waitUntil("the stores to have caught up with the moment compared", async () => {
      for (const store of stores()) if (((await newestSample(store.url, "up")) ?? 0) < at + 2_000) return false;
      return true;
    }, 20_000);
    const selector = `{__name__=~"${metrics.join("|")}"}`;
    const sent = await rawSamples(stack.prometheus.url, selector, at, 10_000);
    const withSeries = new Set(sent.map((s) => s.labels.__name__));
    for (const store of stores()) {
      const received = await rawSamples(store.url, selector, at, 10_000);
      const { missing } = sampleDifferences(sent, received, ["cluster"]);
      assert.deepEqual(missing, [], `${store.name}: every series the queries read arrived`);
      assert.ok(received.length > 0 && received.every((s) => s.labels.cluster === CLUSTER), `${store.name}: every series carries cluster="${CLUSTER}"`);
    }
    for (const metric of seedMetrics) assert.ok(withSeries.has(metric!), `the seed alert's ${metric} has series`);
    assert.ok(sent.some((s) => s.labels.__name__ === "http_requests_total" && s.labels.service === "vote" && s.labels.status === "5xx"), "including the vote service's 5xx series");
    report(`${metrics.length} metrics read by the seed's alert and the dashboards, ${withSeries.size} with series here (${sent.length} series): all in both stores with cluster="${CLUSTER}"`);
  });

  it('the allow-list keeps what the store does not need out of it; "all" sends it', async () => {
    const at = Date.now() - 3_000;
    const unused = "go_goroutines"; // redis_exporter and postgres_exporter expose it; no query reads it
    assert.ok((await rawSamples(stack.prometheus.url, unused, at, 10_000)).length > 0, `the local Prometheus scrapes ${unused}`);
    assert.deepEqual(await rawSamples(receivers.mimir.url, unused, at, 10_000), [], `${unused} is not sent to the "used" store`);
    assert.ok((await rawSamples(receivers.v2.url, unused, at, 10_000)).length > 0, `${unused} is sent to the "all" store`);
  });

  it("a receiver that is down and comes back loses no sample within the WAL's window; the lag is measured", async () => {
    // Steady state: how far the store is behind the local Prometheus, sampled for a few seconds.
    const lags: Record<string, number[]> = { mimir: [], "store-v2": [] };
    for (let i = 0; i < 12; i++) {
      const local = await newestSample(stack.prometheus.url, "up");
      for (const store of stores()) {
        const remote = await newestSample(store.url, "up");
        if (local !== undefined && remote !== undefined) lags[store.name].push(Math.max(0, local - remote));
      }
      await sleep(250);
    }
    const highest = await rawQueueLag(stack.prometheus.url);
    for (const store of stores()) report(`steady-state lag to ${store.name}: median ${median(lags[store.name])} ms, max ${Math.max(...lags[store.name])} ms behind the local Prometheus (Prometheus' own: ${highest[store.name] ?? "?"} s)`);

    const downAt = Date.now();
    await Promise.all([receivers.mimir.stop(), receivers.v2.stop()]);
    await sleep(OUTAGE_MS);
    const failedDuringOutage = gateway.requests.filter((r) => r.status === 503).length;
    await Promise.all([receivers.mimir.start(), receivers.v2.start()]);
    const upAt = Date.now();
    assert.ok(failedDuringOutage > 0, "Prometheus kept trying while the receivers were down");

    // Caught up: every queue has sent past the end of the window and has nothing pending.
    const windowEnd = upAt + 3_000;
    const caughtUp = await waitUntil(
      "both stores to catch up after the outage",
      async () => {
        for (const store of stores()) if (((await newestSample(store.url, "up")) ?? 0) < windowEnd + 1_000) return false;
        return Date.now();
      },
      60_000,
    );
    const windowStart = downAt - 5_000;
    const window = windowEnd - windowStart;
    report(`receivers down for ${secondsSince(downAt, upAt)}s (${failedDuringOutage} requests answered 503 meanwhile); both stores had caught up ${secondsSince(upAt, caughtUp)}s after they came back`);

    const allowList = parse(stack.files["prometheus/prometheus.yml"]).remote_write[0].write_relabel_configs[0].regex as string;
    const checks = [
      { store: "mimir", url: receivers.mimir.url, selector: `{__name__=~"${allowList}"}` },
      { store: "store-v2", url: receivers.v2.url, selector: `{__name__=~".+"}` },
    ];
    for (const check of checks) {
      const sent = await rawSamples(stack.prometheus.url, check.selector, windowEnd, window);
      // Shards resend their backlog independently: compare again until the slowest is through, or 30s pass.
      const compare = async () => sampleDifferences(sent, await rawSamples(check.url, check.selector, windowEnd, window), ["cluster"]);
      let result = await compare();
      const deadline = Date.now() + 30_000;
      while ((result.missing.length > 0 || result.short.length > 0) && Date.now() < deadline) {
        await sleep(1_000);
        result = await compare();
      }
      const { missing, short, samples } = result;
      report(`${check.store}: over ${(window / 1000).toFixed(1)}s around the outage, ${sent.length} series / ${samples} samples in the local Prometheus; in the store ${missing.length} series missing, ${short.length} series short of samples (consistent ${secondsSince(upAt)}s after the receivers came back)`);
      assert.deepEqual(missing.slice(0, 10), [], `${check.store}: no series lost`);
      assert.deepEqual(short.slice(0, 10), [], `${check.store}: no sample lost`);
      assert.ok(sent.length > 50 && samples > sent.length * 10, `${check.store}: the window holds real data`);
    }
  });
});

/** Seconds each remote-write queue is behind what Prometheus appended (its own metrics). */
async function rawQueueLag(prometheusUrl: string): Promise<Record<string, number>> {
  const body = new URLSearchParams({
    query: "prometheus_remote_storage_highest_timestamp_in_seconds - ignoring(remote_name, url) group_right prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
  });
  const json = (await (await fetch(`${prometheusUrl}/api/v1/query`, { method: "POST", body })).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return Object.fromEntries(json.data.result.map((r) => [r.metric.remote_name, Number(r.value[1])]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { slackWebhookFile } from "../../config/secrets";
import { alertResendDelay, TIME_SCALED_PROFILE } from "../../local/profiles";
import { startSlackReceiver, type SlackReceiver } from "../../local/receivers/slack";
import { startAlertmanager, type AlertmanagerServer } from "../../processes/alertmanager";
import { getFreePort } from "../../processes/ports";
import { startPrometheus, type PrometheusServer } from "../../processes/prometheus";
import { filesUnder, kubernetesTopology, renderAll } from "../../render";
import { POD_NAME_ENV, prometheusPodEnv, REPLICA_LABEL } from "../../render/prometheus-replicas";
import { remoteWriteFlags } from "../../render/remote-write";
import { tempDir, writeFiles } from "../support/exec";
import { devConfig, topologyUnder } from "../support/render";
import { Monitoring } from "./support/prometheus";
import { rawSamples, startReceiver } from "./support/remote-store";
import { report } from "./support/stack";
import { secondsSince, sleep, waitUntil } from "./support/wait";

const CLUSTER = "e2e-replicas";
const ALERT = "ReplicaDedupDrill";
const SUMMARY = "Replica drill: the same alert from two Prometheus replicas";

/**
 * Two real Prometheus replicas with the Kubernetes render for kubernetes.prometheusReplicas: 2 (its
 * global section, alert relabelling and remote_write as rendered; only the scrape jobs, rule file
 * and Alertmanager address are moved to 127.0.0.1), each with POD_NAME set as the StatefulSet's
 * downward API would. Both fire the same alert at one real Alertmanager with the rendered config,
 * which notifies the Slack stand-in once; a receiving Prometheus keeps both replicas' series apart.
 */
describe("Prometheus replicas: one notification per alert, series told apart by replica", { timeout: 120_000 }, () => {
  const dir = tempDir("replicas");
  let slack: SlackReceiver;
  let alertmanager: AlertmanagerServer;
  let store: PrometheusServer;
  const replicas: PrometheusServer[] = [];
  let firedAt: number;

  before(async () => {
    slack = await startSlackReceiver();
    store = await startReceiver(join(dir.path, "store"));
    const config = devConfig(TIME_SCALED_PROFILE, {
      target: "kubernetes",
      kubernetes: { prometheusReplicas: 2 },
      prometheus: { externalLabels: { cluster: CLUSTER }, remoteWrite: [{ url: `${store.url}/api/v1/write`, writeRelabel: { metrics: "all" }, queue: { batchSendDeadline: "1s" } }] },
      alerting: { receivers: [{ type: "slack", name: "slack", channel: "#vote-alerts", webhookUrl: { secret: "slackWebhookUrl" } }] },
    });
    const topology = topologyUnder(dir.path, kubernetesTopology("voteobs", 1));
    const files = renderAll(config, topology);
    writeFiles(join(dir.path, "alertmanager"), filesUnder(files, "alertmanager/"));
    mkdirSync(topology.paths.alertmanagerSecrets, { recursive: true });
    writeFileSync(join(topology.paths.alertmanagerSecrets, slackWebhookFile("slack")), slack.url);
    alertmanager = await startAlertmanager({ configFile: join(dir.path, "alertmanager/alertmanager.yml"), dataDir: join(dir.path, "am-data") });

    const rules = join(dir.path, "rules/drill.yml");
    writeFiles(dir.path, {
      "rules/drill.yml": stringify({
        groups: [{ name: "drill", interval: "1s", rules: [{ alert: ALERT, expr: "vector(1)", labels: { severity: "critical", service: "vote", team: "voting" }, annotations: { summary: SUMMARY, description: "fires at once on every replica" } }] }],
      }),
    });
    const env = prometheusPodEnv(config);
    assert.deepEqual(env.map((e) => [e.name, e.valueFrom.fieldRef.fieldPath]), [[POD_NAME_ENV, "metadata.name"]], "the StatefulSet sets POD_NAME from the pod's name");
    for (const index of [0, 1]) {
      const port = await getFreePort();
      const prometheus = parse(files["prometheus/prometheus.yml"]);
      prometheus.scrape_configs = [{ job_name: "prometheus", static_configs: [{ targets: [`127.0.0.1:${port}`], labels: { service: "prometheus" } }] }];
      prometheus.rule_files = [rules];
      prometheus.alerting.alertmanagers[0].static_configs[0].targets = [new URL(alertmanager.url).host];
      const configFile = join(dir.path, `prometheus-${index}/prometheus.yml`);
      writeFiles(dir.path, { [`prometheus-${index}/prometheus.yml`]: stringify(prometheus) });
      replicas.push(
        await startPrometheus({ configFile, dataDir: join(dir.path, `prometheus-${index}/data`), port, alertResendDelay: alertResendDelay(config), extraArgs: remoteWriteFlags(config), env: { [env[0].name]: `prometheus-${index}` } }),
      );
    }
    firedAt = Date.now();
  }, { timeout: 60_000 });

  after(async () => {
    for (const replica of replicas) await replica.stop();
    await alertmanager?.stop();
    await store?.stop();
    await slack?.close();
    dir.cleanup();
  });

  const drillMessages = () => slack.messages.filter((m) => (m.payload.attachments?.[0]?.title ?? "").includes(SUMMARY));

  it("two identical alerts from two replicas give one notification, through a real Alertmanager", async () => {
    const first = await waitUntil("the drill alert in Slack", () => drillMessages()[0], 30_000);
    // Each replica sends the alert to Alertmanager at every resend: wait until both did, several times.
    await waitUntil("both replicas to have sent the alert more than twice", async () => (await Promise.all(replicas.map(notificationsSent))).every((sent) => sent >= 3), 30_000);
    await sleep(3_000);
    const sent = await Promise.all(replicas.map(notificationsSent));
    const alerts = await new Monitoring(() => replicas[0].url, () => alertmanager.url).alertmanagerAlerts(ALERT);
    report(`replicas sent the alert ${sent.join(" and ")} times; Alertmanager holds ${alerts.length} alert; Slack got ${drillMessages().length} message ${secondsSince(firedAt, first.receivedAt.getTime())}s after start`);
    assert.equal(alerts.length, 1, `one alert in Alertmanager, not one per replica: ${JSON.stringify(alerts.map((a) => a.labels))}`);
    assert.equal(alerts[0].labels.cluster, CLUSTER, "the external labels reach Alertmanager...");
    assert.equal(alerts[0].labels[REPLICA_LABEL], undefined, "...except replica, dropped by alert_relabel_configs");
    assert.equal(drillMessages().length, 1, "one notification");
    assert.equal(first.payload.attachments![0].title, SUMMARY, "a group of one alert (two would read \"(2)\")");
  });

  it("each replica's series reach the store with replica=<pod name> and the cluster label", async () => {
    const seen = await waitUntil(
      "both replicas' series in the store",
      async () => {
        const series = await rawSamples(store.url, `up{job="prometheus"}`, Date.now(), 10_000);
        const replicasSeen = series.map((s) => s.labels[REPLICA_LABEL]).sort();
        return replicasSeen.length === 2 ? series : undefined;
      },
      30_000,
    );
    assert.deepEqual(seen.map((s) => s.labels[REPLICA_LABEL]).sort(), ["prometheus-0", "prometheus-1"], "Prometheus expanded ${POD_NAME} in external_labels");
    assert.ok(seen.every((s) => s.labels.cluster === CLUSTER));
    const alertSeries = await rawSamples(store.url, `ALERTS{alertname="${ALERT}"}`, Date.now(), 10_000);
    assert.deepEqual(alertSeries.map((s) => s.labels[REPLICA_LABEL]).sort(), ["prometheus-0", "prometheus-1"], "the store keeps both replicas' ALERTS apart (deduplicating them is the store's job)");
  });
});

/** prometheus_notifications_sent_total of one Prometheus, read from its own /metrics. */
async function notificationsSent(prometheus: PrometheusServer): Promise<number> {
  const text = await (await fetch(`${prometheus.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("prometheus_notifications_sent_total"))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

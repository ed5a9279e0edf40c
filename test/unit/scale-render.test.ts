import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseStackConfig } from "../../config";
import { secretUses } from "../../config/secrets";
import { PINS } from "../../config/versions";
import { KNOWN_METRICS } from "../../queries/metrics";
import { dockerTopology, kubernetesTopology, renderAll, topologyFor } from "../../render";
import { lokiFlags } from "../../render/loki";
import { alertRelabelConfigs, externalLabels, POD_NAME_ENV, prometheusPodEnv } from "../../render/prometheus-replicas";
import { remoteWriteFlags, usedMetrics } from "../../render/remote-write";
import { LOKI_REFERENCE, lokiConfigProblems } from "../dashboards/support/loki-reference";
import { devConfig, renderDev } from "../support/render";

const MIMIR = { kind: "mimir", url: "https://mimir.example.com/api/v1/push", auth: { type: "basic", username: "voteobs", password: { secret: "mimirPassword" } }, headers: { "X-Scope-OrgID": "voting" } };
const VM = { name: "vm", kind: "victoriametrics", url: "http://vm.example.com:8428/api/v1/write", protocol: "2.0", auth: { type: "bearer", token: { file: "/run/secrets/vm-token" } }, writeRelabel: { metrics: "all", dropLabels: ["instance"] } };

type RemoteWriteYaml = Record<string, any>;
const prometheusYaml = (files: Record<string, string>) => parse(files["prometheus/prometheus.yml"]);

describe("remote_write in prometheus.yml", () => {
  const config = devConfig({ prometheus: { remoteWrite: [MIMIR, VM] } });
  const files = renderAll(config, dockerTopology());
  const [mimir, vm] = prometheusYaml(files).remote_write as RemoteWriteYaml[];

  it("no remote write by default: the default render is what it was", () => {
    assert.equal(prometheusYaml(renderDev()).remote_write, undefined);
  });

  it("one entry per store, credentials only as files in Prometheus' secrets folder", () => {
    assert.deepEqual(Object.keys(mimir), ["name", "url", "protobuf_message", "remote_timeout", "headers", "basic_auth", "write_relabel_configs", "queue_config"]);
    assert.equal(mimir.name, "mimir");
    assert.equal(mimir.url, MIMIR.url);
    assert.equal(mimir.protobuf_message, "prometheus.WriteRequest");
    assert.deepEqual(mimir.headers, { "X-Scope-OrgID": "voting" });
    assert.deepEqual(mimir.basic_auth, { username: "voteobs", password_file: "/etc/prometheus/secrets/mimir-remote-write-password" });
    assert.deepEqual(vm.authorization, { type: "Bearer", credentials_file: "/etc/prometheus/secrets/vm-remote-write-token" });
    assert.equal(vm.protobuf_message, "io.prometheus.write.v2.Request");
    const prometheusSecrets = secretUses(config).filter((use) => use.component === "prometheus");
    assert.deepEqual(
      prometheusSecrets.map((use) => use.fileName),
      ["mimir-remote-write-password", "vm-remote-write-token"],
      "every file the render names is a secret the targets place",
    );
    assert.ok(!files["prometheus/prometheus.yml"].includes("mimirPassword") && !files["prometheus/prometheus.yml"].includes("/run/secrets/vm-token"), "no secret reference leaks into the render");
  });

  it("queue settings are explicit, with Prometheus' defaults and retries on 429", () => {
    assert.deepEqual(mimir.queue_config, { capacity: 10000, max_shards: 50, min_shards: 1, max_samples_per_send: 2000, batch_send_deadline: "5s", min_backoff: "30ms", max_backoff: "5s", retry_on_http_429: true });
  });

  it("the write allow-list keeps every metric the alerts, recording rules and dashboards read, and nothing else", () => {
    const [keep] = mimir.write_relabel_configs;
    assert.deepEqual(keep.source_labels, ["__name__"]);
    assert.equal(keep.action, "keep");
    const kept = new RegExp(`^(?:${keep.regex})$`);
    for (const metric of [...KNOWN_METRICS, "ALERTS"]) assert.ok(kept.test(metric), `${metric} is sent`);
    for (const record of usedMetrics(config)) assert.ok(kept.test(record), `${record} is sent`);
    for (const unused of ["go_goroutines", "node_network_receive_bytes_total", "prometheus_http_requests_total", "up_down"]) assert.ok(!kept.test(unused), `${unused} is not sent`);
    assert.ok(usedMetrics(config).some((m) => m.includes(":")), "recording rule outputs are part of it");
  });

  it('"all" sends everything scraped; dropLabels drops only the listed labels; extraMetrics widens the list', () => {
    assert.deepEqual(vm.write_relabel_configs, [{ regex: "instance", action: "labeldrop" }]);
    const extra = prometheusYaml(renderAll(devConfig({ prometheus: { remoteWrite: [{ ...MIMIR, writeRelabel: { extraMetrics: ["go_goroutines"] } }] } }), dockerTopology())).remote_write[0];
    assert.ok(new RegExp(`^(?:${extra.write_relabel_configs[0].regex})$`).test("go_goroutines"));
  });

  it("the same remote_write block on every target, only the secrets folder is the target's", () => {
    const k8s = devConfig({ target: "kubernetes", prometheus: { remoteWrite: [MIMIR, VM] } });
    assert.deepEqual(prometheusYaml(renderAll(k8s, topologyFor(k8s, "k8s"))).remote_write, prometheusYaml(files).remote_write);
  });

  it("remote-write 2.0 turns on metadata WAL records, so its metadata is sent; 1.0 needs no flag", () => {
    assert.deepEqual(remoteWriteFlags(config), ["--enable-feature=metadata-wal-records"]);
    assert.deepEqual(remoteWriteFlags(devConfig({ prometheus: { remoteWrite: [MIMIR] } })), []);
  });
});

describe("external labels and Prometheus replicas", () => {
  const replicated = parseStackConfig({ target: "kubernetes", kubernetes: { prometheusReplicas: 2 }, prometheus: { externalLabels: { cluster: "prod", cost: "$5" } } });
  const k8s = kubernetesTopology("voteobs", 3);

  it("one Prometheus: the configured labels only, nothing dropped from alerts (the default render is unchanged)", () => {
    assert.deepEqual(prometheusYaml(renderDev()).global.external_labels, { cluster: "voteobs" });
    const single = parseStackConfig({ target: "kubernetes" });
    assert.deepEqual(externalLabels(single, k8s), { cluster: "voteobs" });
    assert.equal(alertRelabelConfigs(single, k8s), undefined);
    assert.equal(prometheusYaml(renderAll(single, k8s)).alerting.alert_relabel_configs, undefined);
    assert.deepEqual(prometheusPodEnv(single), []);
    assert.equal(externalLabels(parseStackConfig({ prometheus: { externalLabels: {} } }), dockerTopology()), undefined);
  });

  it("two replicas: each adds replica=${POD_NAME} (Prometheus' env syntax, not Kubernetes' $(VAR)), dropped again from alerts", () => {
    const rendered = prometheusYaml(renderAll(replicated, k8s));
    assert.deepEqual(rendered.global.external_labels, { cluster: "prod", cost: "$$5", replica: "${POD_NAME}" });
    assert.deepEqual(rendered.alerting.alert_relabel_configs, [{ regex: "replica", action: "labeldrop" }]);
    assert.deepEqual(prometheusPodEnv(replicated), [{ name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]);
  });

  it("a `$` in a configured label value is escaped, so Prometheus sends it as written", () => {
    assert.equal(externalLabels(replicated, k8s)!.cost, "$$5");
  });
});

describe("Grafana's Prometheus datasource", () => {
  const datasource = (files: Record<string, string>) => parse(files["grafana/provisioning/datasources/voteobs.yaml"]).datasources.find((d: { uid: string }) => d.uid === "voteobs-prometheus");

  it("defaults to this stack's Prometheus, naming its type and version", () => {
    const ds = datasource(renderDev());
    assert.equal(ds.url, "http://prometheus:9090");
    assert.equal(ds.jsonData.prometheusType, "Prometheus");
    assert.equal(ds.jsonData.prometheusVersion, PINS.prometheus.release);
  });

  it("reads the long-term store when grafana.metricsQueryUrl is set, claiming no Prometheus version for it", () => {
    const ds = datasource(renderAll(devConfig({ prometheus: { remoteWrite: [MIMIR] }, grafana: { metricsQueryUrl: "https://mimir.example.com/prometheus" } }), dockerTopology()));
    assert.equal(ds.url, "https://mimir.example.com/prometheus");
    assert.equal(ds.jsonData.prometheusType, undefined);
    assert.equal(ds.jsonData.prometheusVersion, undefined);
    assert.equal(ds.jsonData.timeInterval, "15s");
  });
});

describe("Loki storage", () => {
  const S3 = { type: "s3", bucket: "voteobs-logs", endpoint: "http://minio.storage.svc:9000", pathStyle: true, accessKeyId: { secret: "s3AccessKeyId" }, secretAccessKey: { secret: "s3SecretAccessKey" } };
  const loki = (overlay: Record<string, unknown> = {}) => {
    const config = devConfig(overlay);
    return { config, text: renderAll(config, topologyFor(config, "dev"))["loki/loki.yaml"] };
  };

  it("filesystem by default: chunks, index and delete requests on Loki's volume", () => {
    const yaml = parse(loki().text);
    assert.equal(yaml.common.storage, undefined, "no common store, which would configure the ruler's too");
    assert.deepEqual(yaml.storage_config, { filesystem: { directory: "/loki/chunks" } });
    assert.equal(yaml.schema_config.configs[0].object_store, "filesystem");
    assert.equal(yaml.compactor.delete_request_store, "filesystem");
    assert.deepEqual(lokiFlags(devConfig()), []);
  });

  it("s3: the bucket in common.storage.s3, the schema and the compactor's delete requests on s3, retention as before", () => {
    const { config, text } = loki({ loki: { storage: S3, retention: "720h" } });
    const yaml = parse(text);
    assert.deepEqual(yaml.common.storage, {
      s3: { bucketnames: "voteobs-logs", endpoint: "minio.storage.svc:9000", s3forcepathstyle: true, insecure: true, access_key_id: "${LOKI_S3_ACCESS_KEY_ID}", secret_access_key: "${LOKI_S3_SECRET_ACCESS_KEY}" },
    });
    assert.equal(yaml.schema_config.configs[0].object_store, "s3");
    assert.equal(yaml.schema_config.configs[0].index.period, "24h", "the compactor applies retention only with 24h index tables");
    assert.deepEqual(yaml.compactor, { working_directory: "/loki/compactor", compaction_interval: "10m", retention_enabled: true, retention_delete_delay: "2h", delete_request_store: "s3" });
    assert.equal(yaml.limits_config.retention_period, "720h");
    assert.deepEqual(yaml.storage_config, { tsdb_shipper: { active_index_directory: "/loki/tsdb-index", cache_location: "/loki/tsdb-cache" } });
    assert.ok(!text.includes("s3AccessKeyId") && !text.includes("s3SecretAccessKey"), "credentials are environment references, never the secret");
    assert.deepEqual(lokiFlags(config), ["-config.expand-env=true"]);
    const env = secretUses(config).filter((use) => use.component === "loki").map((use) => use.env);
    assert.deepEqual(env, ["LOKI_S3_ACCESS_KEY_ID", "LOKI_S3_SECRET_ACCESS_KEY"], "the variables the config names are the ones the targets set");
  });

  it("AWS by region over https, and without keys the AWS default chain (no expansion needed)", () => {
    const { config, text } = loki({ loki: { storage: { type: "s3", bucket: "voteobs-logs", region: "eu-west-1" } } });
    assert.deepEqual(parse(text).common.storage, { s3: { bucketnames: "voteobs-logs", region: "eu-west-1", s3forcepathstyle: false } });
    assert.deepEqual(lokiFlags(config), []);
  });

  it(`every key of every loki.yaml variant is one Loki ${LOKI_REFERENCE.release} documents, delete requests with the chunks`, () => {
    assert.equal(PINS.loki.release, LOKI_REFERENCE.release, "the Loki pin moved: re-read test/dashboards/support/loki-reference.ts at the new tag");
    const variants = { filesystem: loki(), kubernetes: loki({ target: "kubernetes" }), "s3 with keys": loki({ loki: { storage: S3 } }), "s3 on AWS": loki({ loki: { storage: { type: "s3", bucket: "voteobs-logs", region: "eu-west-1" } } }) };
    for (const [name, { text }] of Object.entries(variants)) assert.deepEqual(lokiConfigProblems(parse(text)), [], name);
    const mismatched = parse(variants["s3 with keys"].text);
    mismatched.compactor.delete_request_store = "filesystem";
    assert.match(lokiConfigProblems(mismatched).join("\n"), /delete_request_store filesystem is not the active period's object_store s3/);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, loadFromPulumi, loadStackFile, parseStackConfig } from "../../config";

/** The problems a bad config yields (the test fails if it was accepted). */
function problems(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.ok(!error.message.includes("    at "), "no stack trace in the message");
    return error.problems;
  }
  assert.fail(`accepted a bad config: ${JSON.stringify(raw)}`);
}

describe("config defaults", () => {
  it("an empty stack config is complete: every section and threshold has a value", () => {
    const config = parseStackConfig({});
    assert.equal(config.target, "docker");
    assert.equal(config.alerts.voteErrorRatio.threshold, 0.05);
    assert.equal(config.alerts.voteErrorRatio.window, "2m");
    assert.equal(config.alerts.voteErrorRatio.for, "2m");
    assert.equal(config.alerts.slo.objective, 0.999);
    assert.equal(config.alerting.language, "id");
    assert.deepEqual(
      config.alerting.receivers.map((r) => [r.type, r.name]),
      [["slack", "slack"]],
    );
    for (const [component, image] of Object.entries(config.images)) {
      assert.match(image, /:[^:]+$/, `${component} image is pinned`);
      assert.doesNotMatch(image, /:latest$/);
    }
    assert.equal(config.services.vote.replicas, 2);
    assert.equal(config.network.publishAddress, "127.0.0.1");
  });

  it("a partial section keeps the defaults of its other fields", () => {
    const config = parseStackConfig({ alerts: { voteErrorRatio: { threshold: 0.02 } } });
    assert.equal(config.alerts.voteErrorRatio.threshold, 0.02);
    assert.equal(config.alerts.voteErrorRatio.for, "2m");
    assert.equal(config.alerts.queue.depth, 100);
  });
});

describe("config errors name the field, the bad value and what is allowed", () => {
  it("unknown key, with a suggestion", () => {
    const [problem] = problems({ alerts: { voteErrorRatio: { treshold: 0.05 } } });
    assert.match(problem, /voteobs:alerts → voteErrorRatio: unknown key "treshold" \(did you mean "threshold"\?\); allowed keys: threshold, window, for/);
  });

  it("unknown top-level section", () => {
    const [problem] = problems({ alertz: {} });
    assert.match(problem, /unknown key "alertz" \(did you mean "alerts"\?\)/);
  });

  it("durations that are not Prometheus durations", () => {
    const found = problems({ alerts: { voteErrorRatio: { for: "2 minutes", window: "-1m" } } });
    assert.equal(found.length, 2);
    assert.ok(found.some((p) => p.includes('voteErrorRatio.for: "2 minutes" is not a Prometheus duration') && p.includes('"30s", "2m"')));
    assert.ok(found.some((p) => p.includes('voteErrorRatio.window: "-1m" is not a Prometheus duration')));
    assert.ok(problems({ prometheus: { scrapeInterval: "1m30" } })[0].includes('"1m30" is not a Prometheus duration'));
    assert.ok(problems({ prometheus: { scrapeInterval: "30s1m" } })[0].includes('"30s1m" is not'), "units must go from largest to smallest");
  });

  it("ratios outside 0..1, and percentages typed by mistake", () => {
    assert.match(problems({ alerts: { voteErrorRatio: { threshold: 5 } } })[0], /threshold: 5 is not a ratio between 0 and 1 \(exclusive\); 5 looks like a percentage, write 0\.05/);
    assert.match(problems({ alerts: { slo: { objective: 99.9 } } })[0], /slo\.objective: 99\.9 .* write 0\.999/);
    assert.match(problems({ alerts: { cpu: { threshold: 0 } } })[0], /cpu\.threshold: 0 is not a ratio between 0 and 1/);
    assert.match(problems({ alerts: { cpu: { threshold: -0.5 } } })[0], /-0\.5 is not a ratio/);
  });

  it("an enabled receiver without its secret", () => {
    const [problem] = problems({ alerting: { receivers: [{ type: "slack", name: "ops", channel: "#ops" }] } });
    assert.match(problem, /voteobs:alerting → receivers\[0\]\.webhookUrl: is required; must be \{ secret: "<pulumi config key>" \}/);
    const [plain] = problems({ alerting: { receivers: [{ type: "slack", name: "ops", channel: "#ops", webhookUrl: "https://hooks.slack.com/services/x" }] } });
    assert.match(plain, /receivers\[0\]\.webhookUrl: must be \{ secret/, "a webhook URL in clear is refused");
    const [email] = problems({ alerting: { receivers: [{ type: "email", name: "mail", to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", authUsername: "u" }] } });
    assert.match(email, /receivers\[0\] \(email "mail"\): authUsername and authPassword go together/);
  });

  it("an unknown receiver type lists the allowed ones", () => {
    assert.match(problems({ alerting: { receivers: [{ type: "pagerduty", name: "x" }] } })[0], /receivers\[0\]\.type: type must be "slack" or "email"/);
  });

  it("a `for` shorter than the scrape interval", () => {
    const found = problems({ prometheus: { scrapeInterval: "1m", scrapeTimeout: "10s" }, alerts: { voteErrorRatio: { for: "30s" } } });
    assert.ok(found.some((p) => p.includes("voteobs:alerts → voteErrorRatio.for: 30s is shorter than prometheus.scrapeInterval (1m)")), found.join("\n"));
  });

  it("a rate window holding fewer than two scrapes", () => {
    const found = problems({ prometheus: { scrapeInterval: "2m", scrapeTimeout: "10s" } });
    assert.ok(found.some((p) => p.includes("voteErrorRatio.window: 2m holds fewer than two scrapes at prometheus.scrapeInterval 2m; rate() needs at least 240s")), found.join("\n"));
    assert.doesNotThrow(() => parseStackConfig({ prometheus: { scrapeInterval: "1m", scrapeTimeout: "10s" } }), "two scrapes are enough");
  });

  it("duplicate receiver names", () => {
    const slack = (channel: string) => ({ type: "slack", name: "team", channel, webhookUrl: { secret: "k" } });
    const [problem] = problems({ alerting: { receivers: [slack("#a"), slack("#b")] } });
    assert.match(problem, /receivers\[1\]\.name: "team" is already the name of alerting\.receivers\[0\]; receiver names must be unique/);
  });

  it("unpinned images and bad enums", () => {
    assert.match(problems({ images: { grafana: "grafana/grafana:latest" } })[0], /images → grafana: "grafana\/grafana:latest" is not a pinned image/);
    assert.match(problems({ images: { loki: "grafana/loki" } })[0], /"grafana\/loki" is not a pinned image/);
    assert.match(problems({ target: "swarm" })[0], /voteobs:target: must be "docker" or "kubernetes" \(got "swarm"\)/);
    assert.match(problems({ alerting: { language: "fr" } })[0], /language: must be "id" \(Bahasa Indonesia\) or "en" \(English\) \(got "fr"\)/);
  });

  it("DependencyUnreachable must wait longer than RedisDown/PostgresDown, or their inhibition races", () => {
    assert.match(problems({ alerts: { dependencyUnreachable: { for: "2m" } } })[0], /dependencyUnreachable\.for: 2m is not longer than alerts\.serviceDown\.for \(2m\)/);
  });

  it("Loki retention under its 24h minimum", () => {
    assert.match(problems({ loki: { retention: "12h" } })[0], /voteobs:loki → retention: 12h is below Loki's minimum retention of 24h/);
  });

  it("every problem is reported at once", () => {
    const found = problems({ target: "swarm", alerts: { voteErrorRatio: { threshold: 5, for: "soon" } } });
    assert.equal(found.length, 3);
  });
});

describe("loading from Pulumi", () => {
  const secret = (value: string) => ({ secret: value });

  it("decodes JSON sections, ignores other namespaces and resolves secrets", () => {
    const loaded = loadFromPulumi({
      all: {
        "voteobs:target": "docker",
        "voteobs:alerts": JSON.stringify({ voteErrorRatio: { threshold: 0.1 } }),
        "voteobs:slackWebhookUrl": "https://hooks.slack.com/services/T/B/X",
        "docker:host": "unix:///var/run/docker.sock",
      },
      requireSecret: secret,
    });
    assert.equal(loaded.config.alerts.voteErrorRatio.threshold, 0.1);
    const slack = loaded.secrets.find((s) => s.fileName === "slack-slack-webhook-url");
    assert.deepEqual(slack?.value, { secret: "slackWebhookUrl" }, "the webhook comes from requireSecret, never from the plain value");
    assert.equal(loaded.secrets.find((s) => s.fileName === "grafana-admin-password")?.value, undefined, "unset password: generated by the stack");
  });

  it("a receiver naming a secret that is not set says how to set it", () => {
    assert.throws(
      () => loadFromPulumi({ all: { "voteobs:target": "docker" }, requireSecret: secret }),
      (error: unknown) => error instanceof ConfigError && /alerting\.receivers\[0\]\.webhookUrl: names the secret voteobs:slackWebhookUrl, which is not set; run `pulumi config set --secret slackWebhookUrl <value>`/.test(error.message),
    );
  });

  it("a typo in a top-level key is reported with the key Pulumi knows", () => {
    assert.throws(
      () => loadFromPulumi({ all: { "voteobs:alert": "{}", "voteobs:slackWebhookUrl": "x" }, requireSecret: secret }),
      (error: unknown) => error instanceof ConfigError && /voteobs:alert: unknown config key \(did you mean "voteobs:alerts"\?\)/.test(error.message),
    );
  });

  it("file secrets are read at deploy time; an unreadable file is an error", () => {
    const dir = mkdtempSync(join(tmpdir(), "voteobs-config-"));
    writeFileSync(join(dir, "hook"), "https://hooks.slack.com/services/T/B/Y\n");
    const receivers = (file: string) => JSON.stringify({ receivers: [{ type: "slack", name: "slack", channel: "#x", webhookUrl: { file } }] });
    const ok = loadFromPulumi({ all: { "voteobs:alerting": receivers(join(dir, "hook")) }, requireSecret: secret });
    assert.equal(ok.secrets.find((s) => s.fileName === "slack-slack-webhook-url")?.value, "https://hooks.slack.com/services/T/B/Y");
    assert.throws(
      () => loadFromPulumi({ all: { "voteobs:alerting": receivers(join(dir, "missing")) }, requireSecret: secret }),
      (error: unknown) => error instanceof ConfigError && /cannot read secret file .*missing \(ENOENT\)/.test(error.message),
    );
  });
});

describe("loading a stack file", () => {
  it("reads Pulumi.dev.yaml without the Pulumi CLI, secrets untouched", () => {
    const { config } = loadStackFile(join(__dirname, "../../Pulumi.dev.yaml"));
    assert.equal(config.target, "docker");
    assert.deepEqual(
      config.alerting.receivers.map((r) => r.name),
      ["slack", "email"],
    );
  });

  it("overlays merge objects and replace scalars", () => {
    const { config } = loadStackFile(join(__dirname, "../../Pulumi.dev.yaml"), [{ prometheus: { scrapeInterval: "5s", scrapeTimeout: "5s" } }]);
    assert.equal(config.prometheus.scrapeInterval, "5s");
    assert.equal(config.prometheus.evaluationInterval, "15s");
  });

  it("an unknown key in the file is an error naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "voteobs-stack-"));
    const file = join(dir, "Pulumi.x.yaml");
    writeFileSync(file, "config:\n  voteobs:targett: docker\n");
    assert.throws(() => loadStackFile(file), /voteobs:targett: unknown config key \(did you mean "voteobs:target"\?\)/);
  });
});

describe("beyond one machine: remote write, Prometheus replicas, Loki on S3", () => {
  const mimir = (entry: Record<string, unknown> = {}) => ({ kind: "mimir", url: "https://mimir.example.com/api/v1/push", auth: { type: "basic", username: "voteobs", password: { secret: "mimirPassword" } }, ...entry });
  const s3 = (storage: Record<string, unknown> = {}) => ({ loki: { storage: { type: "s3", bucket: "voteobs-logs", region: "eu-west-1", ...storage } } });
  const one = (raw: Record<string, unknown>) => {
    const found = problems(raw);
    assert.equal(found.length, 1, found.join("\n"));
    return found[0];
  };

  it("every new field has a default: no remote write, filesystem Loki, one Prometheus, Grafana on our Prometheus", () => {
    const config = parseStackConfig({});
    assert.deepEqual(config.prometheus.remoteWrite, []);
    assert.deepEqual(config.loki.storage, { type: "filesystem" });
    assert.equal(config.kubernetes.prometheusReplicas, 1);
    assert.equal(config.grafana.metricsQueryUrl, undefined);
    const [entry] = parseStackConfig({ prometheus: { remoteWrite: [{ url: "https://metrics.example.com/api/v1/write" }] } }).prometheus.remoteWrite;
    assert.deepEqual(
      { kind: entry.kind, auth: entry.auth, headers: entry.headers, protocol: entry.protocol, remoteTimeout: entry.remoteTimeout, writeRelabel: entry.writeRelabel },
      { kind: "generic", auth: { type: "none" }, headers: {}, protocol: "1.0", remoteTimeout: "30s", writeRelabel: { metrics: "used", extraMetrics: [], dropLabels: [] } },
    );
    assert.deepEqual(entry.queue, { capacity: 10000, maxShards: 50, minShards: 1, maxSamplesPerSend: 2000, batchSendDeadline: "5s", minBackoff: "30ms", maxBackoff: "5s", retryOnRateLimit: true });
  });

  it("`protocol: 2.0` as YAML reads it (a number) is remote-write 2.0; `storage: filesystem` is short for { type: filesystem }", () => {
    const config = parseStackConfig({ prometheus: { remoteWrite: [{ url: "https://metrics.example.com/api/v1/write", protocol: 2.0 }] }, loki: { storage: "filesystem" } });
    assert.equal(config.prometheus.remoteWrite[0].protocol, "2.0");
    assert.deepEqual(config.loki.storage, { type: "filesystem" });
    assert.match(one({ prometheus: { remoteWrite: [{ url: "https://m.example.com/api/v1/write", protocol: "3.0" }] } }), /^voteobs:prometheus → remoteWrite\[0\]\.protocol: must be "1\.0" .* or "2\.0"/);
  });

  it("a remote-write URL without a scheme", () => {
    assert.equal(
      one({ prometheus: { remoteWrite: [{ url: "mimir.example.com/api/v1/push" }] } }),
      'voteobs:prometheus → remoteWrite[0].url: "mimir.example.com/api/v1/push" has no scheme; write "https://mimir.example.com/api/v1/push" (or "http://mimir.example.com/api/v1/push" for a plain-HTTP endpoint)',
    );
    assert.match(one({ prometheus: { remoteWrite: [{ url: "ftp://mimir.example.com/push" }] } }), /remoteWrite\[0\]\.url: "ftp:\/\/mimir\.example\.com\/push" must use http:\/\/ or https:\/\//);
    assert.match(one({ grafana: { metricsQueryUrl: "mimir:8080/prometheus" } }), /^voteobs:grafana → metricsQueryUrl: "mimir:8080\/prometheus" has no scheme/);
  });

  it("a secret written in plain text: in the URL, in an Authorization header, as a header value, or as a bare password", () => {
    assert.match(one({ prometheus: { remoteWrite: [mimir({ url: "https://voteobs:hunter2@mimir.example.com/api/v1/push" })] } }), /^voteobs:prometheus → remoteWrite\[0\]\.url: holds credentials \(user:password@\) in plain text; .*password: \{ secret: "<pulumi config key>" \}/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ headers: { Authorization: "Bearer abc" } })] } }), /^voteobs:prometheus → remoteWrite\[0\]\.headers\.Authorization: a secret written in plain text; credentials go in auth as a secret reference/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ headers: { "X-Forwarded-Auth": "Basic dm90ZW9iczpodW50ZXIy" } })] } }), /headers\.X-Forwarded-Auth: a secret written in plain text/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ headers: { "X-Api-Key": "abc" } })] } }), /headers\.X-Api-Key: looks like a credential, and headers are plain config/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ auth: { type: "basic", username: "voteobs", password: "hunter2" } })] } }), /^voteobs:prometheus → remoteWrite\[0\]\.auth\.password: must be \{ secret: "<pulumi config key>" \}.* or \{ file: "<path>" \}/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ auth: { type: "bearer", token: "abc" } })] } }), /remoteWrite\[0\]\.auth\.token: must be \{ secret: /);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ auth: { type: "oauth" } })] } }), /remoteWrite\[0\]\.auth\.type: must be "none", "basic" \(username and password\) or "bearer" \(token\)/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ headers: { "Content-Type": "x" } })] } }), /headers\.Content-Type: Prometheus sets Content-Type itself/);
  });

  it("a tenant header on an endpoint without auth, refused where the store requires auth", () => {
    const tenant = (kind: string, header = "X-Scope-OrgID") => ({ prometheus: { remoteWrite: [{ kind, url: "https://store.example.com/api/v1/push", headers: { [header]: "voting" } }] } });
    assert.match(one(tenant("mimir")), /^voteobs:prometheus → remoteWrite\[0\]\.headers\.X-Scope-OrgID: a tenant header on an endpoint without auth; Grafana Mimir trusts X-Scope-OrgID as given .* anyone could write as tenant "voting"\. Set auth to basic or bearer/);
    assert.match(one(tenant("cortex", "x-scope-orgid")), /headers\.x-scope-orgid: a tenant header on an endpoint without auth; Cortex/);
    assert.match(one(tenant("thanos", "THANOS-TENANT")), /headers\.THANOS-TENANT: a tenant header on an endpoint without auth; Thanos Receive/);
    for (const kind of ["generic", "victoriametrics"]) parseStackConfig(tenant(kind));
    parseStackConfig({ prometheus: { remoteWrite: [mimir({ headers: { "X-Scope-OrgID": "voting" } })] } });
    parseStackConfig({ prometheus: { remoteWrite: [mimir({ auth: { type: "bearer", token: { file: "/run/secrets/mimir" } }, headers: { "X-Scope-OrgID": "voting" } })] } });
    assert.match(one({ prometheus: { remoteWrite: [{ kind: "grafana-cloud", url: "https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push" }] } }), /^voteobs:prometheus → remoteWrite\[0\]\.auth: Grafana Cloud requires basic auth/);
    assert.match(one({ prometheus: { remoteWrite: [{ kind: "grafana-cloud", url: "https://x.grafana.net/api/prom/push", auth: { type: "bearer", token: { secret: "t" } } }] } }), /Grafana Cloud requires basic auth/);
  });

  it("names, queues, relabelling and external labels are checked against each other", () => {
    assert.match(one({ prometheus: { remoteWrite: [mimir(), mimir()] } }), /^voteobs:prometheus → remoteWrite\[1\]\.kind: the name "mimir" is already taken by prometheus\.remoteWrite\[0\] \(an entry without a name goes by its kind\)/);
    parseStackConfig({ prometheus: { remoteWrite: [mimir({ name: "mimir-eu" }), mimir({ name: "mimir-us" })] } });
    assert.match(one({ prometheus: { remoteWrite: [mimir({ queue: { minShards: 10, maxShards: 5 } })] } }), /remoteWrite\[0\]\.queue\.minShards: 10 is above queue\.maxShards \(5\)/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ queue: { minBackoff: "10s" } })] } }), /remoteWrite\[0\]\.queue\.minBackoff: 10s is longer than queue\.maxBackoff \(5s\)/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ queue: { capacity: 0 } })] } }), /remoteWrite\[0\]\.queue\.capacity: must be greater than 0/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ writeRelabel: { dropLabels: ["cluster"] } })] } }), /writeRelabel\.dropLabels: "cluster" cannot be dropped: it is an external label/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ writeRelabel: { dropLabels: ["service"] } })] } }), /"service" cannot be dropped: the dashboards and alerts select by it/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ writeRelabel: { metrics: "all", extraMetrics: ["go_goroutines"] } })] } }), /writeRelabel\.extraMetrics: has no effect with writeRelabel\.metrics "all"/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ writeRelabel: { metrics: "some" } })] } }), /writeRelabel\.metrics: must be "used" .* or "all"/);
    assert.match(one({ prometheus: { externalLabels: {}, remoteWrite: [mimir()] } }), /^voteobs:prometheus → externalLabels: is empty while prometheus\.remoteWrite sends to a shared store/);
    assert.match(one({ prometheus: { remoteWrite: [mimir({ kind: "influx" })] } }), /remoteWrite\[0\]\.kind: must be one of mimir, cortex, thanos, victoriametrics, grafana-cloud, generic/);
  });

  it("Grafana on a long-term store needs a store this stack writes to", () => {
    assert.match(one({ grafana: { metricsQueryUrl: "https://mimir.example.com/prometheus" } }), /^voteobs:grafana → metricsQueryUrl: points Grafana at a store no Prometheus of this stack writes to/);
    parseStackConfig({ grafana: { metricsQueryUrl: "https://mimir.example.com/prometheus" }, prometheus: { remoteWrite: [mimir()] } });
  });

  it("Prometheus replicas above 1 on the Docker target, and a configured `replica` label beside them", () => {
    assert.equal(
      one({ kubernetes: { prometheusReplicas: 2 } }),
      'voteobs:kubernetes → prometheusReplicas: 2 replicas need target "kubernetes"; the Docker target runs one Prometheus (set voteobs:target to kubernetes, or prometheusReplicas to 1)',
    );
    assert.equal(parseStackConfig({ target: "kubernetes", kubernetes: { prometheusReplicas: 2 } }).kubernetes.prometheusReplicas, 2);
    assert.match(one({ target: "kubernetes", kubernetes: { prometheusReplicas: 2 }, prometheus: { externalLabels: { cluster: "x", replica: "a" } } }), /^voteobs:prometheus → externalLabels: "replica" is set per pod/);
    assert.match(one({ target: "kubernetes", kubernetes: { prometheusReplicas: 9 } }), /prometheusReplicas: more than 5 Prometheus replicas/);
  });

  it("Loki on S3: a bucket is required, credentials go together and are secret references, AWS needs a region", () => {
    assert.equal(parseStackConfig(s3()).loki.storage.type, "s3");
    assert.equal(one({ loki: { storage: { type: "s3", region: "eu-west-1" } } }), 'voteobs:loki → storage.bucket: is required; s3 storage needs the bucket Loki writes chunks and index to, e.g. "voteobs-logs"');
    assert.equal(one({ loki: { storage: "s3" } }), 'voteobs:loki → storage.bucket: is required; s3 storage needs the bucket Loki writes chunks and index to, e.g. "voteobs-logs"');
    assert.match(one(s3({ bucket: "Voteobs_Logs" })), /storage\.bucket: must be an S3 bucket name/);
    assert.match(one(s3({ accessKeyId: { secret: "s3Key" } })), /^voteobs:loki → storage: accessKeyId and secretAccessKey go together/);
    assert.match(one(s3({ accessKeyId: { secret: "k" }, secretAccessKey: "plain" })), /^voteobs:loki → storage\.secretAccessKey: must be \{ secret: /);
    assert.match(one(s3({ region: undefined })), /^voteobs:loki → storage\.region: is required when loki\.storage\.endpoint is not given/);
    parseStackConfig(s3({ region: undefined, endpoint: "http://minio:9000", pathStyle: true }));
    assert.match(one(s3({ endpoint: "minio:9000" })), /storage\.endpoint: "minio:9000" has no scheme/);
    assert.match(one(s3({ endpoint: "http://minio:9000/voteobs-logs" })), /storage\.endpoint: "http:\/\/minio:9000\/voteobs-logs" has a path or query; give only the scheme, host and port/);
    assert.match(one({ loki: { storage: { type: "gcs" } } }), /^voteobs:loki → storage\.type: must be "filesystem" \(Loki's volume\) or "s3"/);
  });

  it("remote-write and S3 secrets are resolved at deploy time like the others, in the same list", () => {
    const loaded = loadFromPulumi({
      all: {
        "voteobs:prometheus": JSON.stringify({ remoteWrite: [mimir(), { name: "vm", url: "https://vm.example.com/api/v1/write", auth: { type: "bearer", token: { secret: "vmToken" } } }] }),
        "voteobs:loki": JSON.stringify(s3({ accessKeyId: { secret: "s3Key" }, secretAccessKey: { secret: "s3Secret" } }).loki),
        "voteobs:slackWebhookUrl": "x",
        "voteobs:mimirPassword": "x",
        "voteobs:vmToken": "x",
        "voteobs:s3Key": "x",
        "voteobs:s3Secret": "x",
      },
      requireSecret: (key) => ({ secret: key }),
    });
    assert.deepEqual(
      loaded.secrets.filter((s) => s.component === "prometheus" || s.component === "loki").map((s) => [s.component, s.fileName, s.env, s.value]),
      [
        ["prometheus", "mimir-remote-write-password", undefined, { secret: "mimirPassword" }],
        ["prometheus", "vm-remote-write-token", undefined, { secret: "vmToken" }],
        ["loki", "s3-access-key-id", "LOKI_S3_ACCESS_KEY_ID", { secret: "s3Key" }],
        ["loki", "s3-secret-access-key", "LOKI_S3_SECRET_ACCESS_KEY", { secret: "s3Secret" }],
      ],
    );
    assert.throws(
      () => loadFromPulumi({ all: { "voteobs:prometheus": JSON.stringify({ remoteWrite: [mimir()] }), "voteobs:slackWebhookUrl": "x" }, requireSecret: (key) => ({ secret: key }) }),
      (error: unknown) => error instanceof ConfigError && /prometheus\.remoteWrite\[0\]\.auth\.password: names the secret voteobs:mimirPassword, which is not set; run `pulumi config set --secret mimirPassword <value>`/.test(error.message),
    );
  });
});

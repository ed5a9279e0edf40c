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

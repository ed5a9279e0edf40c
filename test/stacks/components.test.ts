// The harness installs the Pulumi mocks; it must be imported before any stack module.
import "./harness";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as dockerStack from "../../stacks/docker";
import * as k8sStack from "../../stacks/kubernetes";
import { CADVISOR_MINIMUM, PINS } from "../../config/versions";
import { DEFAULTS } from "../../stacks/common";

type Ctor<A> = new (name: string, args: A, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/**
 * Constructs a component with bad arguments and checks that it throws a ResourceError naming
 * the argument, before creating any child (only the component itself was constructed).
 */
function rejects<A>(component: Ctor<A>, args: A, argument: string): void {
  const constructed: string[] = [];
  const record: pulumi.ResourceTransformation = (a) => {
    constructed.push(a.type);
    return undefined;
  };
  assert.throws(
    () => new component("bad", args, { transformations: [record] }),
    (error: unknown) => {
      assert.ok(error instanceof pulumi.ResourceError, `a ResourceError, got ${String(error)}`);
      assert.ok(error.message.includes(`args.${argument} `), `"${error.message}" names args.${argument}`);
      assert.match(error.message, /^voteobs:(docker|kubernetes):\w+ "bad": /);
      return true;
    },
  );
  assert.equal(constructed.length, 1, `nothing but the component is created before its arguments are checked, got ${constructed.join(", ")}`);
}

const files = { prometheus: { "prometheus.yml": "global: {}\n", "rules/slo.yml": "groups: []\n" } };
const networks = ["voteobs-monitoring"];

describe("docker components check their arguments first", () => {
  const stack = "dev";
  const storage = { retention: DEFAULTS.prometheus.retention };
  const prometheus = { stack, image: "prom/prometheus:v2.55.1", networks, files: files.prometheus, storage };
  const redis = { stack, image: "redis:7.4.1-alpine", networks, password: pulumi.secret("p") };
  const grafana = { stack, image: "grafana/grafana:11.3.0", networks, files: { "grafana.ini": "x" }, adminPassword: pulumi.secret("p"), publish: { port: 3000 } };
  const app: dockerStack.AppArgs = {
    stack,
    networks: { frontTier: "f", redisTier: "r", postgresTier: "p", appMetrics: "m" },
    environment: { vote: {}, worker: {}, result: {} },
    secrets: { redisPassword: pulumi.secret("r"), postgresPassword: pulumi.secret("p") },
    build: { repository: "voteobs", tag: "dev" },
    resources: { vote: { cpu: 0.5, memory: "256Mi" }, worker: { cpu: 0.5, memory: "256Mi" }, result: { cpu: 0.5, memory: "256Mi" } },
    publish: { vote: { port: 8080 }, result: { port: 8081 } },
  };
  const images = { "redis-exporter": "oliver006/redis_exporter:v1.66.0-alpine", "postgres-exporter": "quay.io/prometheuscommunity/postgres-exporter:v0.16.0", "node-exporter": "prom/node-exporter:v1.8.2", cadvisor: DEFAULTS.images.cadvisor };
  const exporters: dockerStack.ExportersArgs = {
    stack,
    images,
    networks: { monitoring: "m", redisTier: "r", postgresTier: "p" },
    redis: { host: "redis", port: 6379, password: pulumi.secret("r") },
    postgres: { host: "postgres", port: 5432, database: "postgres", password: pulumi.secret("p") },
  };
  const proxy = { stack, image: DEFAULTS.images["docker-socket-proxy"], networks, clients: ["alloy" as const] };

  it("accepts good arguments", () => {
    assert.ok(new dockerStack.Prometheus("good", prometheus));
    assert.ok(new dockerStack.App("good-app", app));
    assert.ok(new dockerStack.Exporters("good-exporters", exporters));
    assert.ok(new dockerStack.DockerApiProxy("good-proxy", proxy));
  });
  it("an unpinned image", () => rejects(dockerStack.Prometheus, { ...prometheus, image: "prom/prometheus:latest" }, "image"));
  it("a missing prometheus.yml", () => rejects(dockerStack.Prometheus, { ...prometheus, files: { "rules/slo.yml": "" } }, "files"));
  it("a memory limit in the wrong notation", () => rejects(dockerStack.Prometheus, { ...prometheus, resources: { cpu: 1, memory: "1GB" } }, "resources.memory"));
  it("a negative CPU limit", () => rejects(dockerStack.Prometheus, { ...prometheus, resources: { cpu: -1, memory: "1Gi" } }, "resources.cpu"));
  it("a bad retention", () => rejects(dockerStack.Prometheus, { ...prometheus, storage: { retention: "15 days" as typeof storage.retention } }, "storage.retention"));
  it("no stack label", () => rejects(dockerStack.Prometheus, { ...prometheus, stack: "Dev Stack" }, "stack"));
  it("no network", () => rejects(dockerStack.Redis, { ...redis, networks: [] }, "networks"));
  it("a Redis without its password", () => rejects(dockerStack.Redis, { ...redis, password: "" }, "password"));
  it("a bad restart policy", () => rejects(dockerStack.Redis, { ...redis, restart: "sometimes" as "always" }, "restart"));
  it("a bad publish address", () => rejects(dockerStack.Grafana, { ...grafana, publish: { address: "localhost", port: 3000 } }, "publish.address"));
  it("a bad publish port", () => rejects(dockerStack.Grafana, { ...grafana, publish: { port: 70000 } }, "publish.port"));
  it("a remote-write secret file name with a slash", () => rejects(dockerStack.Prometheus, { ...prometheus, secretFiles: { "../../etc/shadow": pulumi.secret("x") } }, 'secretFiles["../../etc/shadow"]'));
  it("Loki's S3 credentials without the secret key", () => rejects(dockerStack.Loki, { stack, image: "grafana/loki:3.7.6", networks, files: { "loki.yaml": "x" }, s3Credentials: { accessKeyId: pulumi.secret("k"), secretAccessKey: "" } }, "s3Credentials.secretAccessKey"));
  it("a secret file name with a slash", () =>
    rejects(dockerStack.Alertmanager, { stack, image: "prom/alertmanager:v0.27.0", networks, files: { "alertmanager.yml": "x" }, secretFiles: { "../etc/passwd": pulumi.secret("x") } }, 'secretFiles["../etc/passwd"]'));
  it("an image tag Docker refuses", () => rejects(dockerStack.App, { ...app, build: { repository: "voteobs", tag: "dev build" } }, "build.tag"));
  it("an app without its environment", () => rejects(dockerStack.App, { ...app, environment: { vote: {}, worker: {} } as dockerStack.AppArgs["environment"] }, "environment.result"));
  it("an app without the Redis password", () => rejects(dockerStack.App, { ...app, secrets: { ...app.secrets, redisPassword: "" } }, "secrets.redisPassword"));
  it("no Redis key to check", () => rejects(dockerStack.Exporters, { ...exporters, queueKeys: [] }, "queueKeys"));
  it("exporters without the Redis password", () => rejects(dockerStack.Exporters, { ...exporters, redis: { host: "redis", port: 6379, password: "" } }, "redis.password"));
  it("a cAdvisor older than the minimum of config/versions.ts (blind on the containerd image store)", () => {
    rejects(dockerStack.Exporters, { ...exporters, images: { ...images, cadvisor: "gcr.io/cadvisor/cadvisor:v0.49.1" } }, 'images["cadvisor"]');
    rejects(dockerStack.Exporters, { ...exporters, images: { ...images, cadvisor: "ghcr.io/google/cadvisor:v0.53.0" } }, 'images["cadvisor"]');
  });
  it("the cAdvisor minimum is read from the version table, and the pin meets it", () => {
    assert.equal(CADVISOR_MINIMUM.release, "0.54.0");
    assert.equal(dockerStack.cadvisorTooOld("ghcr.io/google/cadvisor:v0.54.0"), false);
    assert.equal(dockerStack.cadvisorTooOld("ghcr.io/google/cadvisor:v0.53.9"), true);
    assert.equal(dockerStack.cadvisorTooOld("ghcr.io/google/cadvisor:v1.0.0"), false);
    assert.equal(dockerStack.cadvisorTooOld(`ghcr.io/google/cadvisor@sha256:${"a".repeat(64)}`), false, "a digest is not judged");
    assert.equal(dockerStack.cadvisorTooOld(PINS.cadvisor.image), false);
  });
  it("a Docker API proxy nobody may use", () => rejects(dockerStack.DockerApiProxy, { ...proxy, clients: [] }, "clients"));
  it("a stack of the other target", () => rejects(dockerStack.DockerStack, { config: { ...DEFAULTS, target: "kubernetes" }, files: {}, secrets: [], stack }, "config.target"));
  it("a stack label Docker names cannot carry", () => rejects(dockerStack.DockerStack, { config: DEFAULTS, files: {}, secrets: [], stack: "Team/Staging" }, "stack"));
});

describe("kubernetes components check their arguments first", () => {
  const storage = { size: "10Gi" };

  it("accepts good arguments", () => {
    assert.ok(new k8sStack.Alertmanager("good", { namespace: "voteobs", image: "prom/alertmanager:v0.27.0", files: { "alertmanager.yml": "x" }, storage }));
  });
  it("zero Alertmanager replicas", () => rejects(k8sStack.Alertmanager, { namespace: "voteobs", image: "prom/alertmanager:v0.27.0", files: { "alertmanager.yml": "x" }, storage, replicas: 0 }, "replicas"));
  it("a PVC size that is not a quantity", () => rejects(k8sStack.Prometheus, { namespace: "voteobs", image: "prom/prometheus:v2.55.1", files: files.prometheus, storage: { size: "big" } }, "storage.size"));
  it("a namespace left out", () => rejects(k8sStack.Loki, { namespace: "", image: "grafana/loki:3.2.1", files: { "loki.yaml": "x" }, storage }, "namespace"));
  const appArgs = {
    namespace: "voteobs",
    environment: { vote: {}, worker: {}, result: {} },
    images: { vote: "registry.example.com/voteobs/vote:1a2b3c4", worker: "registry.example.com/voteobs/worker:1a2b3c4", result: "registry.example.com/voteobs/result:1a2b3c4" },
    secrets: { postgresPassword: { name: "pg", key: "postgres-password" }, redisPassword: { name: "redis", key: "redis-password" } },
  };
  it("zero vote replicas", () => rejects(k8sStack.App, { ...appArgs, services: { vote: { replicas: 0, cpu: 0.5, memory: "256Mi" } } }, "services.vote.replicas"));
  it("an unpinned app image", () => rejects(k8sStack.App, { ...appArgs, images: { ...appArgs.images, vote: "voteobs/vote" } }, "images.vote"));
  it("a Redis secret key the services do not read", () => rejects(k8sStack.App, { ...appArgs, secrets: { ...appArgs.secrets, redisPassword: { name: "redis", key: "password" } } }, "secrets.redisPassword.key"));
  it("a retention size larger than the Prometheus volume", () => rejects(k8sStack.Prometheus, { namespace: "voteobs", image: "prom/prometheus:v2.55.1", files: files.prometheus, storage: { size: "10Gi" }, retentionSize: "20GB" }, "retentionSize"));
  it("more Prometheus replicas than the schema allows", () => rejects(k8sStack.Prometheus, { namespace: "voteobs", image: "prom/prometheus:v2.55.1", files: files.prometheus, storage, replicas: 6 }, "replicas"));
  it("a remote-write secret file name Kubernetes cannot key", () => rejects(k8sStack.Prometheus, { namespace: "voteobs", image: "prom/prometheus:v2.55.1", files: files.prometheus, storage, secretFiles: { "Mimir Password": pulumi.secret("x") } }, 'secretFiles["Mimir Password"]'));
  it("a Loki secret variable that is no variable name", () => rejects(k8sStack.Loki, { namespace: "voteobs", image: "grafana/loki:3.7.6", files: { "loki.yaml": "x" }, storage, secretEnv: [{ name: "loki-s3-key", key: "s3-access-key-id", value: pulumi.secret("k") }] }, "secretEnv[0].name"));
  it("a retention that is not a duration", () => rejects(k8sStack.Prometheus, { namespace: "voteobs", image: "prom/prometheus:v2.55.1", files: files.prometheus, storage, retention: "15 days" }, "retention"));
  it("a Postgres without its password", () => rejects(k8sStack.Postgres, { namespace: "voteobs", image: "postgres:16.4-alpine", storage, password: { name: "", key: "postgres-password" } }, "password.name"));
  it("an unknown component to police", () => rejects(k8sStack.NetworkPolicies, { placement: { ["nginx" as "vote"]: "voteobs" }, flows: [] }, "placement"));
  it("a flow to a component that does not run", () => rejects(k8sStack.NetworkPolicies, { placement: { vote: "voteobs" }, flows: [{ from: "vote", to: "redis", port: 6379, protocol: "TCP", why: "queue" }] }, "flows[0].to"));
  it("a Redis without its password", () => rejects(k8sStack.Redis, { namespace: "voteobs", image: "redis:8.2.2-alpine", storage, password: "" }, "password"));
  it("a stack of the other target", () => rejects(k8sStack.KubernetesStack, { config: DEFAULTS, files: {}, secrets: [] }, "config.target"));
});

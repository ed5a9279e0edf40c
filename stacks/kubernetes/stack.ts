import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { posix } from "node:path";
import type { AppService, Component } from "../../config/components";
import { pulumiPath } from "../../config/errors";
import type { ResolvedSecret } from "../../config/load";
import type { StackConfig } from "../../config/schema";
import { GRAFANA_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE, REDIS_PASSWORD_FILE } from "../../config/secrets";
import { filesUnder, type RenderedFiles } from "../../render";
import { appEnvironment } from "../../render/app-environment";
import { lokiFlags } from "../../render/loki";
import { prometheusPodEnv } from "../../render/prometheus-replicas";
import { remoteWriteFlags } from "../../render/remote-write";
import { kubernetesNamespaceOf, kubernetesTopology, nodeAgentsNamespace } from "../../render/topology/kubernetes";
import { APP_SECRET_FILES } from "../../render/topology/types";
import { ArgChecker, isDnsLabel, PART_OF } from "../common";
import { materializeSecrets, requireSecretFile, secretEnvOf, secretFilesOf, type SecretFile } from "../secrets";
import { Alertmanager } from "./alertmanager";
import { Alloy } from "./alloy";
import { App } from "./app";
import { Postgres, Redis, REDIS_SECRET_KEYS } from "./datastores";
import { Exporters } from "./exporters";
import { requiredFlows } from "./flows";
import { Grafana } from "./grafana";
import { appImages } from "./images";
import { Loki } from "./loki";
import { NetworkPolicies } from "./network-policies";
import { Prometheus } from "./prometheus";
import { metadata } from "./workload";

export interface KubernetesStackArgs {
  /** The validated stack config (config/load.ts). */
  config: StackConfig;
  /** `renderAll(config, kubernetesTopology(...))`: every file is placed as is. */
  files: RenderedFiles;
  /**
   * The secrets config/load.ts resolved (`loadFromPulumi(...).secrets`): Pulumi secrets, file
   * texts, or undefined for the ones to generate (RandomPassword, kept in the state).
   */
  secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>;
  /**
   * Images of vote, worker and result, e.g. pushed by CI: a digest or a tag unique to the build.
   * Defaults to building services/Dockerfile and pushing it to `config.app.imageRepository` when
   * that names a registry, deployed by digest (see images.ts for the other cases).
   */
  appImages?: Partial<Record<AppService, string>>;
}

/** Components that run on Kubernetes (container metrics come from the kubelets' cAdvisor). */
const KUBERNETES_COMPONENTS: Component[] = ["vote", "worker", "result", "redis", "postgres", "prometheus", "alertmanager", "grafana", "loki", "alloy", "redis-exporter", "postgres-exporter", "node-exporter"];

/**
 * Pod Security Admission levels, pinned to the Kubernetes minor release the objects are validated
 * against (TEST_PINS.kubernetes), so a cluster upgrade does not change what is admitted.
 */
export const POD_SECURITY_VERSION = "v1.35";

function podSecurityLabels(level: "restricted" | "privileged"): Record<string, string> {
  const modes = level === "restricted" ? ["enforce", "audit", "warn"] : ["enforce"];
  return Object.fromEntries(modes.flatMap((mode) => [[`pod-security.kubernetes.io/${mode}`, level], [`pod-security.kubernetes.io/${mode}-version`, POD_SECURITY_VERSION]]));
}

/**
 * The whole stack in an existing cluster (the provider's kubeconfig decides which): everything in
 * `kubernetes.namespace`, which enforces the `restricted` Pod Security level, except the node
 * agents (node-exporter and Alloy), which need the node and run in `<namespace>-node` at the
 * `privileged` level. NetworkPolicies deny every connection, both ways, but the ones flows.ts lists.
 */
export class KubernetesStack extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Stack";
  readonly namespace: k8s.core.v1.Namespace;
  readonly nodeNamespace: k8s.core.v1.Namespace;
  readonly grafanaUrl: pulumi.Output<string>;
  readonly voteUrl: pulumi.Output<string>;
  readonly resultUrl: pulumi.Output<string>;
  /** Secret. */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly alertmanagerUrl: pulumi.Output<string>;

  constructor(name: string, args: KubernetesStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KubernetesStack.TYPE, name, {}, opts);
    const check = new ArgChecker(this, KubernetesStack.TYPE, name);
    check.required(args.config, "config");
    check.check(args.config.target === "kubernetes", "config.target", `is ${JSON.stringify(args.config.target)}; KubernetesStack deploys the "kubernetes" target`);
    check.files(args.files, ["prometheus/prometheus.yml", "alertmanager/alertmanager.yml", "loki/loki.yaml", "alloy/config.alloy", "grafana/grafana.ini"]);
    check.check(Array.isArray(args.secrets), "secrets", "is required: loadFromPulumi(...).secrets");
    const { config, files } = args;
    const kc = config.kubernetes;
    const nodeNamespaceName = nodeAgentsNamespace(kc.namespace);
    check.check(isDnsLabel(nodeNamespaceName), "config.kubernetes.namespace", `${pulumiPath(["kubernetes", "namespace"])}: ${JSON.stringify(kc.namespace)} leaves no room for the node agents' namespace ${JSON.stringify(nodeNamespaceName)} (at most 63 characters); use at most 58`);

    // Refuses a default image tag that would never roll out, before anything is created.
    const images = appImages(name, config.app, args.appImages, this);
    const secrets = materializeSecrets(args.secrets, name, this);
    const topology = kubernetesTopology(kc.namespace, kc.alertmanagerReplicas);
    const s = config.services;
    const storage = (size: string) => ({ size, storageClass: kc.storageClass });
    this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: kc.namespace, labels: { "app.kubernetes.io/part-of": PART_OF, ...podSecurityLabels("restricted") } } }, { parent: this });
    this.nodeNamespace = new k8s.core.v1.Namespace(`${name}-node-namespace`, { metadata: { name: nodeNamespaceName, labels: { "app.kubernetes.io/part-of": PART_OF, ...podSecurityLabels("privileged") } } }, { parent: this });
    const ns = this.namespace.metadata.name;
    const nodeNs = this.nodeNamespace.metadata.name;

    // One Secret for the Postgres password: Postgres, worker, result and postgres_exporter mount it.
    const postgresSecret = new k8s.core.v1.Secret(
      `${name}-postgres-password`,
      { metadata: metadata("postgres", ns), type: "Opaque", stringData: { [POSTGRES_PASSWORD_FILE]: pulumi.secret(requireSecretFile(secrets, POSTGRES_PASSWORD_FILE)) } },
      { parent: this },
    );
    const postgresPassword = { name: postgresSecret.metadata.name, key: POSTGRES_PASSWORD_FILE };

    const redis = new Redis(`${name}-redis`, { namespace: ns, image: config.images.redis, resources: s.redis, storage: storage(kc.storage.redis), password: redisPasswordOf(secrets) }, { parent: this });
    const postgres = new Postgres(
      `${name}-postgres`,
      { namespace: ns, image: config.images.postgres, resources: s.postgres, storage: storage(kc.storage.postgres), password: postgresPassword, database: topology.app.postgres.database, passwordFolder: posix.dirname(APP_SECRET_FILES.postgresPassword) },
      { parent: this },
    );
    const app = new App(
      `${name}-app`,
      {
        namespace: ns,
        environment: appEnvironment(config, topology.app),
        images: images.images,
        secrets: { postgresPassword, redisPassword: { name: redis.secret.metadata.name, key: REDIS_SECRET_KEYS.password } },
        services: { vote: s.vote, worker: s.worker, result: s.result },
      },
      { parent: this, dependsOn: [redis, postgres] },
    );
    const loki = new Loki(
      `${name}-loki`,
      { namespace: ns, image: config.images.loki, resources: s.loki, storage: storage(kc.storage.loki), files: filesUnder(files, "loki/"), flags: lokiFlags(config), secretEnv: secretEnvOf(secrets, "loki") },
      { parent: this },
    );
    const alertmanager = new Alertmanager(
      `${name}-alertmanager`,
      {
        namespace: ns,
        image: config.images.alertmanager,
        resources: s.alertmanager,
        replicas: kc.alertmanagerReplicas,
        storage: storage(kc.storage.alertmanager),
        files: filesUnder(files, "alertmanager/"),
        secretFiles: secretFilesOf(secrets, "alertmanager"),
      },
      { parent: this },
    );
    new Prometheus(
      `${name}-prometheus`,
      {
        namespace: ns,
        image: config.images.prometheus,
        resources: s.prometheus,
        storage: storage(kc.storage.prometheus),
        files: filesUnder(files, "prometheus/"),
        retention: config.prometheus.retention,
        retentionSize: config.prometheus.retentionSize,
        discoveryNamespaces: [ns, nodeNs],
        replicas: kc.prometheusReplicas,
        env: prometheusPodEnv(config),
        flags: remoteWriteFlags(config),
        secretFiles: secretFilesOf(secrets, "prometheus"),
      },
      { parent: this, dependsOn: [alertmanager] },
    );
    new Alloy(
      `${name}-alloy`,
      { namespace: nodeNs, image: config.images.alloy, resources: s.alloy, files: filesUnder(files, "alloy/"), logNamespaces: [ns, nodeNs], hostStoragePath: `/var/lib/voteobs-alloy/${kc.namespace}` },
      { parent: this, dependsOn: [loki] },
    );
    const grafana = new Grafana(
      `${name}-grafana`,
      { namespace: ns, image: config.images.grafana, resources: s.grafana, storage: storage(kc.storage.grafana), files: filesUnder(files, "grafana/"), adminPassword: requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE) },
      { parent: this, dependsOn: [loki] },
    );
    new Exporters(
      `${name}-exporters`,
      {
        namespace: ns,
        nodeNamespace: nodeNs,
        images: { "redis-exporter": config.images["redis-exporter"], "postgres-exporter": config.images["postgres-exporter"], "node-exporter": config.images["node-exporter"] },
        resources: { "redis-exporter": s["redis-exporter"], "postgres-exporter": s["postgres-exporter"], "node-exporter": s["node-exporter"] },
        postgresPassword,
        redisPasswords: { name: redis.secret.metadata.name, key: REDIS_SECRET_KEYS.exporter },
        database: topology.app.postgres.database,
      },
      { parent: this, dependsOn: [redis, postgres] },
    );
    new NetworkPolicies(
      `${name}-network-policies`,
      { placement: Object.fromEntries(KUBERNETES_COMPONENTS.map((c) => [c, kubernetesNamespaceOf(kc.namespace, c)])), flows: requiredFlows(config, topology) },
      { parent: this, dependsOn: [this.namespace, this.nodeNamespace] },
    );

    this.grafanaUrl = grafana.url;
    this.grafanaAdminPassword = requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE);
    this.voteUrl = app.voteUrl;
    this.resultUrl = app.resultUrl;
    this.alertmanagerUrl = alertmanager.url;
    this.registerOutputs({ namespace: ns, nodeNamespace: nodeNs, grafanaUrl: this.grafanaUrl, voteUrl: this.voteUrl, resultUrl: this.resultUrl, alertmanagerUrl: this.alertmanagerUrl });
  }
}

/** The Redis password (config/secrets.ts always declares it: given, or generated). */
function redisPasswordOf(secrets: readonly SecretFile[]): pulumi.Output<string> {
  const password = secretFilesOf(secrets, "redis")[REDIS_PASSWORD_FILE];
  if (password === undefined) throw new Error(`no ${REDIS_PASSWORD_FILE} secret: config/secrets.ts always declares it`);
  return password;
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Component } from "../../config/components";
import type { StackConfig } from "../../config/schema";
import { GRAFANA_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE } from "../../config/secrets";
import { filesUnder, type RenderedFiles } from "../../render";
import { ArgChecker, PART_OF } from "../common";
import type { ResolvedSecret } from "../../config/load";
import { materializeSecrets, requireSecretFile, secretFilesOf } from "../secrets";
import { Alertmanager } from "./alertmanager";
import { Alloy } from "./alloy";
import { App } from "./app";
import { Postgres, Redis } from "./datastores";
import { Exporters } from "./exporters";
import { Grafana } from "./grafana";
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
  /** Images of vote, worker and result. Defaults to "<config.app.imageRepository>/<service>:<config.app.imageTag>". */
  appImages?: Partial<Record<"vote" | "worker" | "result", string>>;
}

/** Components that run on Kubernetes (container metrics come from the kubelets' cAdvisor). */
export const KUBERNETES_COMPONENTS: Component[] = ["vote", "worker", "result", "redis", "postgres", "prometheus", "alertmanager", "grafana", "loki", "alloy", "redis-exporter", "postgres-exporter", "node-exporter"];

/** The whole stack in one namespace of an existing cluster (the provider's kubeconfig decides which). */
export class KubernetesStack extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Stack";
  readonly namespace: k8s.core.v1.Namespace;
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

    const { config, files } = args;
    check.check(Array.isArray(args.secrets), "secrets", "is required: loadFromPulumi(...).secrets");
    const secrets = materializeSecrets(args.secrets, name, this);
    const kc = config.kubernetes;
    const s = config.services;
    const storage = (size: string) => ({ size, storageClass: kc.storageClass });
    this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: kc.namespace, labels: { "app.kubernetes.io/part-of": PART_OF } } }, { parent: this });
    const ns = this.namespace.metadata.name;

    // One Secret for the Postgres password: Postgres, worker, result and postgres_exporter mount it.
    const postgresSecret = new k8s.core.v1.Secret(
      `${name}-postgres-password`,
      { metadata: metadata("postgres", ns), type: "Opaque", stringData: { [POSTGRES_PASSWORD_FILE]: pulumi.secret(requireSecretFile(secrets, POSTGRES_PASSWORD_FILE)) } },
      { parent: this },
    );
    const postgresPassword = { name: postgresSecret.metadata.name, key: POSTGRES_PASSWORD_FILE };
    const tag = config.app.imageTag;
    const repository = config.app.imageRepository;

    const redis = new Redis(`${name}-redis`, { namespace: ns, image: config.images.redis, resources: s.redis, storage: storage(kc.storage.redis) }, { parent: this });
    const postgres = new Postgres(`${name}-postgres`, { namespace: ns, image: config.images.postgres, resources: s.postgres, storage: storage(kc.storage.postgres), password: postgresPassword }, { parent: this });
    const app = new App(
      `${name}-app`,
      {
        namespace: ns,
        postgresPassword,
        images: { vote: `${repository}/vote:${tag}`, worker: `${repository}/worker:${tag}`, result: `${repository}/result:${tag}`, ...args.appImages },
        replicas: { vote: s.vote.replicas, worker: s.worker.replicas, result: s.result.replicas },
        resources: { vote: s.vote, worker: s.worker, result: s.result },
        options: config.app.options,
        workerBatchSize: config.app.workerBatchSize,
        faultInjection: config.app.faultInjection,
      },
      { parent: this, dependsOn: [redis, postgres] },
    );
    const loki = new Loki(`${name}-loki`, { namespace: ns, image: config.images.loki, resources: s.loki, storage: storage(kc.storage.loki), files: filesUnder(files, "loki/") }, { parent: this });
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
      },
      { parent: this, dependsOn: [alertmanager] },
    );
    new Alloy(`${name}-alloy`, { namespace: ns, image: config.images.alloy, resources: s.alloy, files: filesUnder(files, "alloy/") }, { parent: this, dependsOn: [loki] });
    const grafana = new Grafana(
      `${name}-grafana`,
      { namespace: ns, image: config.images.grafana, resources: s.grafana, storage: storage(kc.storage.grafana), files: filesUnder(files, "grafana/"), adminPassword: requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE) },
      { parent: this, dependsOn: [loki] },
    );
    new Exporters(
      `${name}-exporters`,
      {
        namespace: ns,
        images: { "redis-exporter": config.images["redis-exporter"], "postgres-exporter": config.images["postgres-exporter"], "node-exporter": config.images["node-exporter"] },
        resources: { "redis-exporter": s["redis-exporter"], "postgres-exporter": s["postgres-exporter"], "node-exporter": s["node-exporter"] },
        postgresPassword,
      },
      { parent: this, dependsOn: [redis, postgres] },
    );
    new NetworkPolicies(`${name}-network-policies`, { namespace: ns, components: KUBERNETES_COMPONENTS }, { parent: this });

    this.grafanaUrl = grafana.url;
    this.grafanaAdminPassword = requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE);
    this.voteUrl = app.voteUrl;
    this.resultUrl = app.resultUrl;
    this.alertmanagerUrl = alertmanager.url;
    this.registerOutputs({ namespace: ns, grafanaUrl: this.grafanaUrl, voteUrl: this.voteUrl, resultUrl: this.resultUrl, alertmanagerUrl: this.alertmanagerUrl });
  }
}

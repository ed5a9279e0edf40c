import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { GRAFANA_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE } from "../../config/secrets";
import { filesUnder, type RenderedFiles } from "../../render";
import { DATASOURCE_UIDS } from "../../queries/links";
import { ArgChecker, isDnsLabel, PART_OF } from "../common";
import type { ResolvedSecret } from "../../config/load";
import { materializeSecrets, requireSecretFile, secretFilesOf } from "../secrets";
import { Alertmanager } from "./alertmanager";
import { Alloy } from "./alloy";
import { App } from "./app";
import { Postgres, Redis } from "./datastores";
import { Exporters } from "./exporters";
import { Grafana } from "./grafana";
import { Loki } from "./loki";
import { Prometheus } from "./prometheus";

export interface DockerStackArgs {
  /** The validated stack config (config/load.ts). */
  config: StackConfig;
  /** `renderAll(config, dockerTopology())`: every file is placed as is. */
  files: RenderedFiles;
  /**
   * The secrets config/load.ts resolved (`loadFromPulumi(...).secrets`): Pulumi secrets, file
   * texts, or undefined for the ones to generate (RandomPassword, kept in the state).
   */
  secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>;
  /** Prefix of container, network and volume names. Defaults to "voteobs". */
  namePrefix?: string;
  /** Build context of our images. Defaults to the repository's services/ folder. */
  servicesDir?: string;
}

/**
 * The whole stack on one Docker engine. Three networks as the original voting app has them plus
 * one for monitoring: front-tier (vote, result: published), back-tier (internal: Redis, Postgres
 * and who talks to them), monitoring (Prometheus and everything it scrapes).
 */
export class DockerStack extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Stack";
  readonly grafanaUrl: string;
  readonly voteUrl: string;
  readonly resultUrl: string;
  /** Alertmanager's UI through Grafana (Alertmanager itself is not published). */
  /** Secret. */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly alertmanagerUrl: string;
  readonly networks: { frontTier: docker.Network; backTier: docker.Network; monitoring: docker.Network };

  constructor(name: string, args: DockerStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DockerStack.TYPE, name, {}, opts);
    const check = new ArgChecker(this, DockerStack.TYPE, name);
    check.required(args.config, "config");
    check.check(args.config.target === "docker", "config.target", `is ${JSON.stringify(args.config.target)}; DockerStack deploys the "docker" target`);
    check.files(args.files, ["prometheus/prometheus.yml", "alertmanager/alertmanager.yml", "loki/loki.yaml", "alloy/config.alloy", "grafana/grafana.ini"]);
    if (args.namePrefix !== undefined) check.check(isDnsLabel(args.namePrefix, 40), "namePrefix", `${JSON.stringify(args.namePrefix)} must be lower-case letters, digits and dashes (at most 40)`);

    const { config, files } = args;
    check.check(Array.isArray(args.secrets), "secrets", "is required: loadFromPulumi(...).secrets");
    const secrets = materializeSecrets(args.secrets, name, this);
    const prefix = args.namePrefix ?? "voteobs";
    const network = (tier: string, internal: boolean) =>
      new docker.Network(`${name}-${tier}`, { name: `${prefix}-${tier}`, driver: "bridge", internal, labels: [{ label: "voteobs.part-of", value: PART_OF }] }, { parent: this });
    this.networks = {
      frontTier: network("front-tier", false),
      // Nothing on the back tier needs the internet; an internal network has no route out.
      backTier: network("back-tier", true),
      // Alertmanager reaches Slack and SMTP from here.
      monitoring: network("monitoring", false),
    };
    const net = { frontTier: this.networks.frontTier.name, backTier: this.networks.backTier.name, monitoring: this.networks.monitoring.name };
    const s = config.services;
    const shared = { namePrefix: prefix };
    const postgresPassword = requireSecretFile(secrets, POSTGRES_PASSWORD_FILE);
    const publish = (port: number) => ({ address: config.network.publishAddress, port });

    const redis = new Redis(`${name}-redis`, { ...shared, image: config.images.redis, networks: [net.backTier], resources: s.redis }, { parent: this });
    const postgres = new Postgres(`${name}-postgres`, { ...shared, image: config.images.postgres, networks: [net.backTier], resources: s.postgres, password: postgresPassword }, { parent: this });
    const app = new App(
      `${name}-app`,
      {
        ...shared,
        networks: net,
        postgresPassword,
        build: { context: args.servicesDir, repository: config.app.imageRepository, tag: config.app.imageTag },
        options: config.app.options,
        workerBatchSize: config.app.workerBatchSize,
        faultInjection: config.app.faultInjection,
        resources: { vote: pick(s.vote), worker: pick(s.worker), result: pick(s.result) },
        publish: { vote: publish(config.network.ports.vote), result: publish(config.network.ports.result) },
      },
      { parent: this, dependsOn: [redis, postgres] },
    );
    const loki = new Loki(`${name}-loki`, { ...shared, image: config.images.loki, networks: [net.monitoring], resources: s.loki, files: filesUnder(files, "loki/") }, { parent: this });
    const alertmanager = new Alertmanager(
      `${name}-alertmanager`,
      { ...shared, image: config.images.alertmanager, networks: [net.monitoring], resources: s.alertmanager, files: filesUnder(files, "alertmanager/"), secretFiles: secretFilesOf(secrets, "alertmanager") },
      { parent: this },
    );
    new Prometheus(
      `${name}-prometheus`,
      { ...shared, image: config.images.prometheus, networks: [net.monitoring], resources: s.prometheus, files: filesUnder(files, "prometheus/"), retention: config.prometheus.retention, retentionSize: config.prometheus.retentionSize },
      { parent: this, dependsOn: [alertmanager] },
    );
    new Alloy(`${name}-alloy`, { ...shared, image: config.images.alloy, networks: [net.monitoring], resources: s.alloy, files: filesUnder(files, "alloy/") }, { parent: this, dependsOn: [loki] });
    const grafana = new Grafana(
      `${name}-grafana`,
      {
        ...shared,
        image: config.images.grafana,
        networks: [net.monitoring],
        resources: s.grafana,
        files: filesUnder(files, "grafana/"),
        adminPassword: requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE),
        publish: publish(config.network.ports.grafana),
      },
      { parent: this, dependsOn: [loki] },
    );
    new Exporters(
      `${name}-exporters`,
      {
        ...shared,
        images: { "redis-exporter": config.images["redis-exporter"], "postgres-exporter": config.images["postgres-exporter"], "node-exporter": config.images["node-exporter"], cadvisor: config.images.cadvisor },
        networks: { monitoring: net.monitoring, backTier: net.backTier },
        resources: { "redis-exporter": s["redis-exporter"], "postgres-exporter": s["postgres-exporter"], "node-exporter": s["node-exporter"], cadvisor: s.cadvisor },
        postgres: { password: postgresPassword },
      },
      { parent: this, dependsOn: [redis, postgres] },
    );

    this.grafanaUrl = grafana.url;
    this.grafanaAdminPassword = requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE);
    this.voteUrl = app.voteUrl;
    this.resultUrl = app.resultUrl;
    this.alertmanagerUrl = `${grafana.url}/alerting/groups?alertmanager=${DATASOURCE_UIDS.alertmanager}`;
    this.registerOutputs({ grafanaUrl: this.grafanaUrl, voteUrl: this.voteUrl, resultUrl: this.resultUrl, alertmanagerUrl: this.alertmanagerUrl });
  }
}

function pick(replicated: { cpu: number; memory: string }): { cpu: number; memory: string } {
  return { cpu: replicated.cpu, memory: replicated.memory };
}

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedSecret } from "../../config/load";
import type { StackConfig } from "../../config/schema";
import { GRAFANA_ADMIN_PASSWORD_FILE, LOKI_S3_ENV, POSTGRES_PASSWORD_FILE, REDIS_PASSWORD_FILE } from "../../config/secrets";
import { alertmanagerGroupsUrl } from "../../queries/links";
import { filesUnder, type RenderedFiles } from "../../render";
import { appEnvironment } from "../../render/app-environment";
import { lokiFlags } from "../../render/loki";
import { remoteWriteFlags } from "../../render/remote-write";
import { dockerTopology } from "../../render/topology/docker";
import { STACK_LABEL } from "../../render/topology/types";
import { ArgChecker, isDnsLabel, PART_OF } from "../common";
import { materializeSecrets, requireSecretFile, secretEnvOf, secretFilesOf, type SecretFile } from "../secrets";
import { Alertmanager } from "./alertmanager";
import { Alloy } from "./alloy";
import { App } from "./app";
import { Postgres, Redis } from "./datastores";
import { DockerApiProxy } from "./docker-api-proxy";
import { Exporters } from "./exporters";
import { Grafana } from "./grafana";
import { Loki } from "./loki";
import { Prometheus } from "./prometheus";

export interface DockerStackArgs {
  /** The validated stack config (config/load.ts). */
  config: StackConfig;
  /** `renderAll(config, dockerTopology(stack))`: every file is placed as is. */
  files: RenderedFiles;
  /**
   * The secrets config/load.ts resolved (`loadFromPulumi(...).secrets`): Pulumi secrets, file
   * texts, or undefined for the ones to generate (RandomPassword, kept in the state).
   */
  secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>;
  /**
   * The stack's label (dockerStackLabel of the Pulumi stack), the one `files` were rendered for:
   * every container, network and volume is labelled `voteobs.stack=<stack>`.
   */
  stack: string;
  /** Prefix of container, network and volume names. Defaults to `voteobs-<stack>`. */
  namePrefix?: string;
  /** Build context of our images. Defaults to the repository's services/ folder. */
  servicesDir?: string;
}

/** The networks of the stack: which components join each is decided in the components. */
export interface DockerNetworks {
  /** vote and result, published on the host. */
  frontTier: docker.Network;
  /** Internal: Redis and who talks to it (vote, worker, redis-exporter). */
  redisTier: docker.Network;
  /** Internal: Postgres and who talks to it (worker, result, postgres-exporter). */
  postgresTier: docker.Network;
  /** Internal: Prometheus scraping vote, worker and result, which reach no monitoring component. */
  appMetrics: docker.Network;
  /** Prometheus, Alertmanager (reaches Slack and SMTP), Grafana (published), Loki, Alloy and the exporters. */
  monitoring: docker.Network;
  /** Internal: Alloy and the Docker API proxy, nothing else. */
  dockerApi: docker.Network;
}

/**
 * The whole stack on one Docker engine, scoped to its stack (names, labels) so several stacks
 * share an engine. The back tier is split as the flows are: vote reaches only Redis, result
 * only Postgres, worker both; the app services meet Prometheus on a network of their own.
 */
export class DockerStack extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Stack";
  readonly grafanaUrl: string;
  readonly voteUrl: string;
  readonly resultUrl: string;
  /** Alertmanager's UI through Grafana (Alertmanager itself is not published). */
  readonly alertmanagerUrl: string;
  /** Secret. */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly networks: DockerNetworks;

  constructor(name: string, args: DockerStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DockerStack.TYPE, name, {}, opts);
    const check = new ArgChecker(this, DockerStack.TYPE, name);
    check.required(args.config, "config");
    check.check(args.config.target === "docker", "config.target", `is ${JSON.stringify(args.config.target)}; DockerStack deploys the "docker" target`);
    check.check(isDnsLabel(args.stack, 32), "stack", `${JSON.stringify(args.stack)} must be a stack label: lower-case letters, digits and dashes, at most 32 (dockerStackLabel)`);
    check.files(args.files, ["prometheus/prometheus.yml", "alertmanager/alertmanager.yml", "loki/loki.yaml", "alloy/config.alloy", "grafana/grafana.ini"]);
    if (args.namePrefix !== undefined) check.check(isDnsLabel(args.namePrefix, 40), "namePrefix", `${JSON.stringify(args.namePrefix)} must be lower-case letters, digits and dashes (at most 40)`);
    check.check(Array.isArray(args.secrets), "secrets", "is required: loadFromPulumi(...).secrets");

    const { config, files, stack } = args;
    const topology = dockerTopology(stack);
    const secrets = materializeSecrets(args.secrets, name, this);
    const prefix = args.namePrefix ?? `voteobs-${stack}`;
    const network = (tier: string, internal: boolean) =>
      new docker.Network(
        `${name}-${tier}`,
        { name: `${prefix}-${tier}`, driver: "bridge", internal, labels: [{ label: STACK_LABEL, value: stack }, { label: "voteobs.part-of", value: PART_OF }] },
        { parent: this },
      );
    // Internal networks have no route out: nothing there needs the internet.
    this.networks = {
      frontTier: network("front-tier", false),
      redisTier: network("redis-tier", true),
      postgresTier: network("postgres-tier", true),
      appMetrics: network("app-metrics", true),
      monitoring: network("monitoring", false),
      dockerApi: network("docker-api", true),
    };
    const net = Object.fromEntries(Object.entries(this.networks).map(([key, n]) => [key, n.name])) as Record<keyof DockerNetworks, pulumi.Output<string>>;
    const s = config.services;
    const shared = { stack, namePrefix: prefix };
    const postgresPassword = requireSecretFile(secrets, POSTGRES_PASSWORD_FILE);
    const redisPassword = requireSecretFile(secrets, REDIS_PASSWORD_FILE);
    const publish = (port: number) => ({ address: config.network.publishAddress, port });
    const limits = (r: { cpu: number; memory: string }) => ({ cpu: r.cpu, memory: r.memory });

    const redis = new Redis(`${name}-redis`, { ...shared, image: config.images.redis, networks: [net.redisTier], resources: s.redis, password: redisPassword }, { parent: this });
    const postgres = new Postgres(
      `${name}-postgres`,
      { ...shared, image: config.images.postgres, networks: [net.postgresTier], resources: s.postgres, password: postgresPassword, database: topology.app.postgres.database },
      { parent: this },
    );
    const app = new App(
      `${name}-app`,
      {
        ...shared,
        networks: { frontTier: net.frontTier, redisTier: net.redisTier, postgresTier: net.postgresTier, appMetrics: net.appMetrics },
        environment: appEnvironment(config, topology.app),
        secrets: { redisPassword, postgresPassword },
        build: { context: args.servicesDir, repository: config.app.imageRepository, tag: config.app.imageTag },
        resources: { vote: limits(s.vote), worker: limits(s.worker), result: limits(s.result) },
        publish: { vote: publish(config.network.ports.vote), result: publish(config.network.ports.result) },
      },
      { parent: this, dependsOn: [redis, postgres] },
    );
    const loki = new Loki(
      `${name}-loki`,
      { ...shared, image: config.images.loki, networks: [net.monitoring], resources: s.loki, files: filesUnder(files, "loki/"), flags: lokiFlags(config), s3Credentials: s3CredentialsOf(secrets) },
      { parent: this },
    );
    const alertmanager = new Alertmanager(
      `${name}-alertmanager`,
      { ...shared, image: config.images.alertmanager, networks: [net.monitoring], resources: s.alertmanager, files: filesUnder(files, "alertmanager/"), secretFiles: secretFilesOf(secrets, "alertmanager") },
      { parent: this },
    );
    new Prometheus(
      `${name}-prometheus`,
      {
        ...shared,
        image: config.images.prometheus,
        networks: [net.monitoring, net.appMetrics],
        resources: s.prometheus,
        files: filesUnder(files, "prometheus/"),
        storage: config.prometheus,
        flags: remoteWriteFlags(config),
        secretFiles: secretFilesOf(secrets, "prometheus"),
      },
      { parent: this, dependsOn: [alertmanager] },
    );
    const dockerApi = new DockerApiProxy(
      `${name}-docker-api`,
      { ...shared, image: config.images["docker-socket-proxy"], networks: [net.dockerApi], resources: s["docker-socket-proxy"], clients: ["alloy"] },
      { parent: this },
    );
    new Alloy(`${name}-alloy`, { ...shared, image: config.images.alloy, networks: [net.monitoring, net.dockerApi], resources: s.alloy, files: filesUnder(files, "alloy/") }, { parent: this, dependsOn: [loki, dockerApi] });
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
        networks: { monitoring: net.monitoring, redisTier: net.redisTier, postgresTier: net.postgresTier },
        resources: { "redis-exporter": s["redis-exporter"], "postgres-exporter": s["postgres-exporter"], "node-exporter": s["node-exporter"], cadvisor: s.cadvisor },
        redis: { ...topology.app.redis, password: redisPassword },
        postgres: { ...topology.app.postgres, password: postgresPassword },
      },
      { parent: this, dependsOn: [redis, postgres] },
    );

    this.grafanaUrl = grafana.url;
    this.grafanaAdminPassword = requireSecretFile(secrets, GRAFANA_ADMIN_PASSWORD_FILE);
    this.voteUrl = app.voteUrl;
    this.resultUrl = app.resultUrl;
    this.alertmanagerUrl = alertmanagerGroupsUrl(grafana.url);
    this.registerOutputs({ grafanaUrl: this.grafanaUrl, voteUrl: this.voteUrl, resultUrl: this.resultUrl, alertmanagerUrl: this.alertmanagerUrl });
  }
}

/** Loki's S3 keys, when loki.storage gives them (config/secrets.ts declares both or neither). */
function s3CredentialsOf(secrets: readonly SecretFile[]): { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> } | undefined {
  const env = Object.fromEntries(secretEnvOf(secrets, "loki").map((v) => [v.name, v.value]));
  const accessKeyId = env[LOKI_S3_ENV.accessKeyId];
  const secretAccessKey = env[LOKI_S3_ENV.secretAccessKey];
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

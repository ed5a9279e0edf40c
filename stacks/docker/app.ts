import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { join, resolve } from "node:path";
import { APP_SERVICES, type AppService } from "../../config/components";
import { PORTS } from "../../render/topology/types";
import { ArgChecker, hostUrl, type Resources } from "../common";
import { FOLDERS } from "../files";
import { checkCommon, checkPublish, nodeCheck, serviceContainer, type DockerComponentArgs, type PublishArgs, type RestartPolicy } from "./container";

/** The repository's services/ folder, the build context of our three images. */
export const SERVICES_DIR = resolve(__dirname, "..", "..", "services");

export interface AppArgs {
  /** Network names: `frontTier` (published), `backTier` (Redis, Postgres) and `monitoring` (scraped by Prometheus). */
  networks: { frontTier: pulumi.Input<string>; backTier: pulumi.Input<string>; monitoring: pulumi.Input<string> };
  /** Password of the Postgres `postgres` user (a Pulumi secret), uploaded for worker and result as POSTGRES_PASSWORD_FILE. */
  postgresPassword: pulumi.Input<string>;
  /**
   * How the images are built: `services/<service>/Dockerfile` with `context` as build context,
   * tagged `<repository>/<service>:<tag>`, never pushed (the local engine runs them).
   * Defaults to context = the repository's services/ folder, repository "voteobs", tag "dev".
   */
  build?: { context?: string; repository?: string; tag?: string; platform?: string };
  /** Image ids to run instead of building (e.g. from CI). Defaults to building every image. */
  images?: Partial<Record<AppService, pulumi.Input<string>>>;
  /** Display names of the two options. Defaults to Cats and Dogs. */
  options?: { a: string; b: string };
  /** Votes the worker takes from Redis per Postgres transaction. Defaults to 100. */
  workerBatchSize?: number;
  /** Demo only: a share of vote requests answers 500. Defaults to off. */
  faultInjection?: { enabled: boolean; errorRatio: number };
  /** Where Redis and Postgres are reached. Defaults to the network aliases redis:6379 and postgres:5432, database "postgres". */
  redisUrl?: string;
  postgres?: { host?: string; port?: number; database?: string };
  /** Limits per service. Defaults to the defaults in config/schema.ts. */
  resources?: Partial<Record<AppService, Resources>>;
  /** Host ports of vote and result. Defaults to 127.0.0.1:8080 and 127.0.0.1:8081. */
  publish?: { vote?: PublishArgs; result?: PublishArgs };
  /** Log level of the services. Defaults to "info". */
  logLevel?: "error" | "warn" | "info" | "debug";
  /** Prefix of container and image names. Defaults to "voteobs". */
  namePrefix?: string;
  /** Defaults to "unless-stopped". */
  restart?: RestartPolicy;
  /** Defaults to true. */
  waitForHealthy?: boolean;
}

/**
 * The voting app: vote (front tier, pushes to Redis), worker (Redis → Postgres) and result
 * (front tier, reads Postgres), each built from its Dockerfile and run by image id, so a new
 * build replaces the container.
 */
export class App extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:App";
  readonly voteUrl: string;
  readonly resultUrl: string;
  readonly images: Partial<Record<AppService, docker.Image>>;
  readonly containers: Record<AppService, docker.Container>;

  constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(App.TYPE, name, {}, opts);
    const check = new ArgChecker(this, App.TYPE, name);
    for (const network of ["frontTier", "backTier", "monitoring"] as const) check.required(args.networks?.[network], `networks.${network}`);
    check.required(args.postgresPassword, "postgresPassword");
    if (args.build?.tag !== undefined) check.check(/^[A-Za-z0-9._-]{1,128}$/.test(args.build.tag) && args.build.tag !== "latest", "build.tag", `${JSON.stringify(args.build.tag)} must be a Docker tag other than "latest"`);
    if (args.build?.repository !== undefined) check.check(/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(args.build.repository), "build.repository", `${JSON.stringify(args.build.repository)} must be a lower-case image repository such as "voteobs"`);
    if (args.options !== undefined) for (const key of ["a", "b"] as const) check.check(typeof args.options[key] === "string" && args.options[key].length > 0 && args.options[key].length <= 40, `options.${key}`, "must be 1 to 40 characters");
    if (args.workerBatchSize !== undefined) check.check(Number.isInteger(args.workerBatchSize) && args.workerBatchSize >= 1 && args.workerBatchSize <= 5000, "workerBatchSize", `${args.workerBatchSize} must be a whole number from 1 to 5000 (the worker's limit)`);
    if (args.faultInjection !== undefined) check.check(args.faultInjection.errorRatio >= 0 && args.faultInjection.errorRatio < 1, "faultInjection.errorRatio", `${args.faultInjection.errorRatio} must be from 0 to 1`);
    for (const service of APP_SERVICES) check.resources(args.resources?.[service], `resources.${service}`);
    checkPublish(check, args.publish?.vote, "publish.vote");
    checkPublish(check, args.publish?.result, "publish.result");

    const common = (service: AppService, networks: pulumi.Input<string>[]): DockerComponentArgs => ({ networks, resources: args.resources?.[service], namePrefix: args.namePrefix, restart: args.restart, waitForHealthy: args.waitForHealthy });
    checkCommon(check, common("vote", [args.networks.frontTier]));

    const build = { context: args.build?.context ?? SERVICES_DIR, repository: args.build?.repository ?? "voteobs", tag: args.build?.tag ?? "dev" };
    this.images = {};
    const imageOf = (service: AppService): pulumi.Input<string> => {
      const given = args.images?.[service];
      if (given !== undefined) return given;
      const image = new docker.Image(
        `${name}-${service}-image`,
        {
          imageName: `${build.repository}/${service}:${build.tag}`,
          build: { context: build.context, dockerfile: join(build.context, "Dockerfile"), args: { SERVICE: service }, platform: args.build?.platform },
          skipPush: true,
          buildOnPreview: false,
        },
        { parent: this },
      );
      this.images[service] = image;
      // For a local build repoDigest is the image id (sha256:...), which changes with every new build.
      return image.repoDigest;
    };

    const redisUrl = args.redisUrl ?? `redis://redis:${PORTS.redis}`;
    const pg = { host: args.postgres?.host ?? "postgres", port: args.postgres?.port ?? PORTS.postgres, database: args.postgres?.database ?? "postgres" };
    const passwordFile = `${FOLDERS.postgresSecrets}/postgres-password`;
    const options = args.options ?? { a: "Cats", b: "Dogs" };
    const fault = args.faultInjection ?? { enabled: false, errorRatio: 0 };
    const base = [`PORT=${PORTS.vote}`, "HOST=0.0.0.0", `LOG_LEVEL=${args.logLevel ?? "info"}`];
    const postgresEnv = [`PGHOST=${pg.host}`, `PGPORT=${pg.port}`, "PGUSER=postgres", `PGDATABASE=${pg.database}`, `POSTGRES_PASSWORD_FILE=${passwordFile}`];
    const optionEnv = [`OPTION_A=${options.a}`, `OPTION_B=${options.b}`];
    const votePublish = { address: args.publish?.vote?.address ?? "127.0.0.1", port: args.publish?.vote?.port ?? 8080 };
    const resultPublish = { address: args.publish?.result?.address ?? "127.0.0.1", port: args.publish?.result?.port ?? 8081 };
    // Runs as the node user of the node base image; the root filesystem stays read-only.
    const hardening = { user: "1000:1000", readOnly: true, tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" } };

    const vote = serviceContainer(
      `${name}-vote`,
      {
        component: "vote",
        image: imageOf("vote"),
        common: common("vote", [args.networks.frontTier, args.networks.backTier, args.networks.monitoring]),
        ...hardening,
        envs: [...base, `REDIS_URL=${redisUrl}`, ...optionEnv, `FAULT_INJECTION=${fault.enabled ? "enabled" : "disabled"}`, `FAULT_ERROR_RATIO=${fault.errorRatio}`],
        publish: [{ internal: PORTS.vote, publish: votePublish }],
        healthcheck: nodeCheck(`http://127.0.0.1:${PORTS.vote}/healthz`),
      },
      this,
    );
    const worker = serviceContainer(
      `${name}-worker`,
      {
        component: "worker",
        image: imageOf("worker"),
        common: common("worker", [args.networks.backTier, args.networks.monitoring]),
        ...hardening,
        // The uploaded password file must be writable into the container: no read-only root here.
        readOnly: false,
        envs: [...base, `REDIS_URL=${redisUrl}`, ...postgresEnv, `WORKER_BATCH_SIZE=${args.workerBatchSize ?? 100}`],
        secretFiles: { [passwordFile]: args.postgresPassword },
        healthcheck: nodeCheck(`http://127.0.0.1:${PORTS.worker}/healthz`),
      },
      this,
    );
    const result = serviceContainer(
      `${name}-result`,
      {
        component: "result",
        image: imageOf("result"),
        common: common("result", [args.networks.frontTier, args.networks.backTier, args.networks.monitoring]),
        ...hardening,
        readOnly: false,
        envs: [...base, ...postgresEnv, ...optionEnv],
        secretFiles: { [passwordFile]: args.postgresPassword },
        publish: [{ internal: PORTS.result, publish: resultPublish }],
        healthcheck: nodeCheck(`http://127.0.0.1:${PORTS.result}/healthz`),
      },
      this,
    );
    this.containers = { vote, worker, result };
    this.voteUrl = hostUrl(votePublish.address, votePublish.port);
    this.resultUrl = hostUrl(resultPublish.address, resultPublish.port);
    this.registerOutputs({ voteUrl: this.voteUrl, resultUrl: this.resultUrl });
  }
}

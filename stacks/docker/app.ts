import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { join, resolve } from "node:path";
import { APP_SERVICES, type AppService } from "../../config/components";
import { imageRepository, imageTag } from "../../config/schema";
import type { AppEnvironment } from "../../render/app-environment";
import { PORTS } from "../../render/topology/types";
import { ArgChecker, hostUrl, type Resources } from "../common";
import { checkCommon, checkPublish, nodeCheck, serviceContainer, TMPFS, type DockerComponentArgs, type PublishArgs, type RestartPolicy } from "./container";

/** The repository's services/ folder, the build context of our three images. */
const SERVICES_DIR = resolve(__dirname, "..", "..", "services");

/** The environment variables that name a secret file, and the secret each file holds. */
const SECRET_FILE_VARIABLES = { REDIS_PASSWORD_FILE: "redisPassword", POSTGRES_PASSWORD_FILE: "postgresPassword" } as const;

/** The networks each service joins besides `appMetrics`: vote reaches only Redis, result only Postgres, worker both. */
const APP_TIERS: Record<AppService, Array<"frontTier" | "redisTier" | "postgresTier">> = {
  vote: ["frontTier", "redisTier"],
  worker: ["redisTier", "postgresTier"],
  result: ["frontTier", "postgresTier"],
};

export interface AppArgs {
  /** The stack's label (see DockerComponentArgs.stack). */
  stack: string;
  /**
   * Network names: `frontTier` (published), `redisTier` (Redis), `postgresTier` (Postgres) and
   * `appMetrics` (where only Prometheus scrapes them). Each service joins the ones of APP_TIERS.
   */
  networks: { frontTier: pulumi.Input<string>; redisTier: pulumi.Input<string>; postgresTier: pulumi.Input<string>; appMetrics: pulumi.Input<string> };
  /**
   * Each service's environment, exactly as `appEnvironment(config, topology.app)` maps it
   * (render/app-environment.ts). The secret files it names (REDIS_PASSWORD_FILE,
   * POSTGRES_PASSWORD_FILE) are placed with the values of `secrets`, and no others.
   */
  environment: Record<AppService, AppEnvironment>;
  /** The passwords of Redis and of the Postgres `postgres` user (Pulumi secrets). */
  secrets: { redisPassword: pulumi.Input<string>; postgresPassword: pulumi.Input<string> };
  /**
   * How the images are built: `services/Dockerfile` with build arg SERVICE (vote | worker |
   * result) and `context` as build context, tagged `<repository>/<service>:<tag>` (the stack
   * config's `app.imageRepository` and `app.imageTag`), never pushed: the engine runs them.
   * `context` defaults to the repository's services/ folder.
   */
  build: { repository: string; tag: string; context?: string; platform?: string };
  /** Image ids to run instead of building (e.g. from CI). Defaults to building every image. */
  images?: Partial<Record<AppService, pulumi.Input<string>>>;
  /** Limits per service: the stack config's `services`. */
  resources: Record<AppService, Resources>;
  /** Host addresses and ports of vote and result: the stack config's `network`. */
  publish: { vote: PublishArgs; result: PublishArgs };
  /** Prefix of container names. Defaults to "voteobs". */
  namePrefix?: string;
  /** Defaults to "unless-stopped". */
  restart?: RestartPolicy;
  /** Defaults to true. */
  waitForHealthy?: boolean;
}

/**
 * The voting app: vote (front tier, pushes to Redis), worker (Redis → Postgres) and result
 * (front tier, reads Postgres), each built from services/Dockerfile and run by image id, so a
 * new build replaces the container.
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
    for (const network of ["frontTier", "redisTier", "postgresTier", "appMetrics"] as const) check.required(args.networks?.[network], `networks.${network}`);
    for (const service of APP_SERVICES) check.check(typeof args.environment?.[service] === "object", `environment.${service}`, "is required: appEnvironment(config, topology.app)");
    check.required(args.secrets?.redisPassword, "secrets.redisPassword");
    check.required(args.secrets?.postgresPassword, "secrets.postgresPassword");
    check.schema(imageRepository, args.build?.repository, "build.repository");
    check.schema(imageTag, args.build?.tag, "build.tag");
    for (const service of APP_SERVICES) check.resources(args.resources?.[service], `resources.${service}`);
    check.required(args.publish?.vote, "publish.vote");
    check.required(args.publish?.result, "publish.result");
    checkPublish(check, args.publish.vote, "publish.vote");
    checkPublish(check, args.publish.result, "publish.result");

    const common = (service: AppService): DockerComponentArgs => ({
      stack: args.stack,
      networks: [...APP_TIERS[service].map((tier) => args.networks[tier]), args.networks.appMetrics],
      resources: args.resources[service],
      namePrefix: args.namePrefix,
      restart: args.restart,
      waitForHealthy: args.waitForHealthy,
    });
    checkCommon(check, common("vote"));

    const context = args.build.context ?? SERVICES_DIR;
    this.images = {};
    const imageOf = (service: AppService): pulumi.Input<string> => {
      const given = args.images?.[service];
      if (given !== undefined) return given;
      const image = new docker.Image(
        `${name}-${service}-image`,
        {
          imageName: `${args.build.repository}/${service}:${args.build.tag}`,
          build: { context, dockerfile: join(context, "Dockerfile"), args: { SERVICE: service }, platform: args.build.platform },
          skipPush: true,
          buildOnPreview: false,
        },
        { parent: this },
      );
      this.images[service] = image;
      // For a local build repoDigest is the image id (sha256:...), which changes with every new build.
      return image.repoDigest;
    };

    const container = (service: AppService, publish?: PublishArgs): docker.Container => {
      const environment = args.environment[service];
      const secretFiles = Object.fromEntries(
        Object.entries(SECRET_FILE_VARIABLES).flatMap(([variable, secret]) => (environment[variable] ? [[environment[variable], args.secrets[secret]]] : [])),
      );
      return serviceContainer(
        `${name}-${service}`,
        {
          component: service,
          image: imageOf(service),
          common: common(service),
          // The node user of the node base image; it reads its password files.
          user: "1000:1000",
          tmpfs: { "/tmp": TMPFS },
          envs: Object.entries(environment).map(([key, value]) => `${key}=${value}`),
          secretFiles,
          publish: publish ? [{ internal: PORTS[service], publish }] : [],
          healthcheck: nodeCheck(`http://127.0.0.1:${PORTS[service]}/healthz`),
        },
        this,
      );
    };
    this.containers = { vote: container("vote", args.publish.vote), worker: container("worker"), result: container("result", args.publish.result) };
    this.voteUrl = hostUrl(args.publish.vote.address ?? "127.0.0.1", args.publish.vote.port);
    this.resultUrl = hostUrl(args.publish.result.address ?? "127.0.0.1", args.publish.result.port);
    this.registerOutputs({ voteUrl: this.voteUrl, resultUrl: this.resultUrl });
  }
}

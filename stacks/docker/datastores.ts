import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { FOLDERS } from "../files";
import { checkCommon, dataVolume, pulledImage, serviceContainer, type PulledComponentArgs } from "./container";

export type RedisArgs = PulledComponentArgs;

/** Redis holding the `votes` queue between vote and worker; append-only file in a named volume. */
export class Redis extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Redis";
  /** `redis://redis:6379` inside the back-tier network. */
  readonly url: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Redis.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Redis.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);

    const prefix = args.namePrefix ?? "voteobs";
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-redis-data`, "redis", this);
    this.container = serviceContainer(
      name,
      {
        component: "redis",
        image: image.imageId,
        common: args,
        // The image's own user (uid 999 in both the alpine and the debian images); the volume is created owned by it.
        user: "redis",
        command: ["redis-server", "--appendonly", "yes", "--port", String(PORTS.redis)],
        volumes: [{ volumeName: this.volume.name, containerPath: "/data" }],
        healthcheck: ["CMD-SHELL", "redis-cli ping | grep -q PONG"],
      },
      this,
    );
    this.url = `redis://redis:${PORTS.redis}`;
    this.registerOutputs({ url: this.url, container: this.container.id });
  }
}

export interface PostgresArgs extends PulledComponentArgs {
  /** Password of the `postgres` user (a Pulumi secret), uploaded as POSTGRES_PASSWORD_FILE. */
  password: pulumi.Input<string>;
  /** Database the votes table lives in. Defaults to "postgres". */
  database?: string;
}

/** Postgres holding the `votes` table; data directory in a named volume. */
export class Postgres extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Postgres";
  readonly host: string;
  readonly database: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Postgres.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Postgres.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.required(args.password, "password");
    if (args.database !== undefined) check.check(/^[a-z_][a-z0-9_]{0,62}$/.test(args.database), "database", `${JSON.stringify(args.database)} must be a lower-case SQL identifier`);

    const prefix = args.namePrefix ?? "voteobs";
    this.database = args.database ?? "postgres";
    const passwordFile = `${FOLDERS.postgresSecrets}/postgres-password`;
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-postgres-data`, "postgres", this);
    this.container = serviceContainer(
      name,
      {
        component: "postgres",
        image: image.imageId,
        common: args,
        envs: ["POSTGRES_USER=postgres", `POSTGRES_DB=${this.database}`, `POSTGRES_PASSWORD_FILE=${passwordFile}`, "PGDATA=/var/lib/postgresql/data/pgdata"],
        // The entrypoint starts as root to own the data directory, then drops to the postgres user,
        // which reads the password file again: the file is readable by every user of this container.
        secretFiles: { [passwordFile]: args.password },
        secretMode: "0444",
        capAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
        volumes: [{ volumeName: this.volume.name, containerPath: "/var/lib/postgresql/data" }],
        healthcheck: ["CMD-SHELL", `pg_isready -U postgres -d ${this.database} -h 127.0.0.1 -p ${PORTS.postgres} || exit 1`],
        startPeriodSeconds: 60,
      },
      this,
    );
    this.host = "postgres";
    this.registerOutputs({ host: this.host, database: this.database, container: this.container.id });
  }
}

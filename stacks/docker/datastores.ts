import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { redisAclFile, redisPingCommand } from "../../render/redis";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { FOLDERS } from "../files";
import { checkCommon, dataVolume, pulledImage, serviceContainer, TMPFS, type PulledComponentArgs } from "./container";

/** The uid of the redis user in the official images (alpine and debian alike). */
const REDIS_UID = "999";

export interface RedisArgs extends PulledComponentArgs {
  /**
   * The password every client must give (a Pulumi secret). Redis gets only its SHA-256, in an
   * ACL file; the password file beside it serves the healthcheck.
   */
  password: pulumi.Input<string>;
}

/** Redis holding the `votes` queue between vote and worker; password required; append-only file in a named volume. */
export class Redis extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Redis";
  /** `redis://redis:6379` inside the Redis network. */
  readonly url: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Redis.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Redis.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.required(args.password, "password");

    const prefix = args.namePrefix ?? "voteobs";
    const aclFile = `${FOLDERS.redisSecrets}/users.acl`;
    const passwordFile = `${FOLDERS.redisSecrets}/redis-password`;
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-redis-data`, "redis", args.stack, this);
    this.container = serviceContainer(
      name,
      {
        component: "redis",
        image: image.imageId,
        common: args,
        // The image's own user; the volume is created owned by it.
        user: REDIS_UID,
        command: ["redis-server", "--appendonly", "yes", "--port", String(PORTS.redis), "--aclfile", aclFile],
        secretFiles: { [aclFile]: pulumi.output(args.password).apply(redisAclFile), [passwordFile]: args.password },
        volumes: [{ volumeName: this.volume.name, containerPath: "/data" }],
        healthcheck: ["CMD-SHELL", redisPingCommand(passwordFile, PORTS.redis)],
      },
      this,
    );
    this.url = `redis://redis:${PORTS.redis}`;
    this.registerOutputs({ url: this.url, container: this.container.id });
  }
}

export interface PostgresArgs extends PulledComponentArgs {
  /** Password of the `postgres` user (a Pulumi secret), placed as POSTGRES_PASSWORD_FILE. */
  password: pulumi.Input<string>;
  /** Database the votes table lives in: the topology's (`topology.app.postgres.database`). */
  database: string;
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
    check.check(/^[a-z_][a-z0-9_]{0,62}$/.test(args.database ?? ""), "database", `${JSON.stringify(args.database)} must be a lower-case SQL identifier`);

    const prefix = args.namePrefix ?? "voteobs";
    this.database = args.database;
    const passwordFile = `${FOLDERS.postgresSecrets}/postgres-password`;
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-postgres-data`, "postgres", args.stack, this);
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
        // The socket and lock file (/var/run is a link to /run in the alpine image) and the
        // entrypoint's here-documents; everything else it writes is the data volume.
        tmpfs: { "/run/postgresql": TMPFS, "/tmp": TMPFS },
        healthcheck: ["CMD-SHELL", `pg_isready -U postgres -d ${this.database} -h 127.0.0.1 -p ${PORTS.postgres} || exit 1`],
        startPeriodSeconds: 60,
      },
      this,
    );
    this.host = "postgres";
    this.registerOutputs({ host: this.host, database: this.database, container: this.container.id });
  }
}

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { FOLDERS } from "../files";
import { checkCommon, checkStorage, claimTemplate, containerSecurity, execProbe, podSecurity, resourcesFor, scratch, service, statefulSet, type PulledKubernetesArgs, type StorageArgs } from "./workload";

/** A key of an existing Secret. */
export interface SecretKeyRef {
  /** Secret name. */
  name: pulumi.Input<string>;
  /** Key inside it; also the file name when mounted. */
  key: string;
}

export interface RedisArgs extends PulledKubernetesArgs {
  /** PersistentVolumeClaim of the append-only file. */
  storage: StorageArgs;
}

/** Redis (the `votes` queue) as a one-replica StatefulSet with its append-only file on a PVC. */
export class Redis extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Redis";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Redis.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Redis.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);

    const ns = args.namespace;
    service(`${name}-service`, "redis", ns, [{ name: "redis", port: PORTS.redis, targetPort: PORTS.redis }], this);
    this.statefulSet = statefulSet(
      name,
      "redis",
      {
        namespace: ns,
        replicas: 1,
        serviceName: "redis",
        claims: [claimTemplate("redis", "data", args.storage)],
        pod: {
          securityContext: podSecurity(999),
          containers: [
            {
              name: "redis",
              image: args.image,
              args: ["redis-server", "--appendonly", "yes", "--port", String(PORTS.redis)],
              ports: [{ name: "redis", containerPort: PORTS.redis }],
              livenessProbe: execProbe(["redis-cli", "ping"], { initialDelaySeconds: 10 }),
              readinessProbe: execProbe(["sh", "-c", "redis-cli ping | grep -q PONG"]),
              resources: resourcesFor("redis", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: "data", mountPath: "/data" }],
            },
          ],
        },
      },
      this,
    );
    this.url = pulumi.interpolate`redis://redis.${ns}.svc:${PORTS.redis}`;
    this.registerOutputs({ url: this.url });
  }
}

export interface PostgresArgs extends PulledKubernetesArgs {
  /** The Secret key holding the `postgres` user's password (mounted as POSTGRES_PASSWORD_FILE). */
  password: SecretKeyRef;
  /** PersistentVolumeClaim of the data directory. */
  storage: StorageArgs;
  /** Database of the votes table. Defaults to "postgres". */
  database?: string;
}

/** Postgres (the `votes` table) as a one-replica StatefulSet, data directory on a PVC, run as uid 70. */
export class Postgres extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Postgres";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly host: pulumi.Output<string>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Postgres.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Postgres.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);
    check.required(args.password?.name, "password.name");
    check.required(args.password?.key, "password.key");
    const database = args.database ?? "postgres";
    check.check(/^[a-z_][a-z0-9_]{0,62}$/.test(database), "database", `${JSON.stringify(database)} must be a lower-case SQL identifier`);

    const ns = args.namespace;
    const run = scratch("run", "/var/run/postgresql");
    const tmp = scratch("tmp", "/tmp");
    const ready = ["pg_isready", "-U", "postgres", "-d", database, "-h", "127.0.0.1", "-p", String(PORTS.postgres)];
    service(`${name}-service`, "postgres", ns, [{ name: "postgres", port: PORTS.postgres, targetPort: PORTS.postgres }], this);
    this.statefulSet = statefulSet(
      name,
      "postgres",
      {
        namespace: ns,
        replicas: 1,
        serviceName: "postgres",
        claims: [claimTemplate("postgres", "data", args.storage)],
        pod: {
          // The postgres user of the alpine image; the entrypoint runs unprivileged as any uid.
          securityContext: podSecurity(70),
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "postgres",
              image: args.image,
              env: [
                { name: "POSTGRES_USER", value: "postgres" },
                { name: "POSTGRES_DB", value: database },
                { name: "POSTGRES_PASSWORD_FILE", value: `${FOLDERS.postgresSecrets}/${args.password.key}` },
                // A subdirectory: the volume's root may hold lost+found.
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
              ],
              ports: [{ name: "postgres", containerPort: PORTS.postgres }],
              livenessProbe: execProbe(ready, { initialDelaySeconds: 30 }),
              readinessProbe: execProbe(ready),
              resources: resourcesFor("postgres", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }, { name: "password", mountPath: FOLDERS.postgresSecrets, readOnly: true }, run.mount, tmp.mount],
            },
          ],
          volumes: [{ name: "password", secret: { secretName: args.password.name, defaultMode: 0o440 } }, run.volume, tmp.volume],
        },
      },
      this,
    );
    this.host = pulumi.interpolate`postgres.${ns}.svc`;
    this.registerOutputs({ host: this.host });
  }
}

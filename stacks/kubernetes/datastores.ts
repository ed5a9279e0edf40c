import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { posix } from "node:path";
import { REDIS_PASSWORD_FILE } from "../../config/secrets";
import { APP_DATABASE, APP_SECRET_FILES, PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { checkCommon, checkStorage, claimTemplate, containerSecurity, execProbe, metadata, podSecurity, resourcesFor, scratch, service, startupProbe, statefulSet, tcpProbe, type PulledKubernetesArgs, type StorageArgs } from "./workload";

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
  /** The password Redis requires (a Pulumi secret). */
  password: pulumi.Input<string>;
}

/** Keys of the Secret Redis' password lives in. */
export const REDIS_SECRET_KEYS = {
  /** The bare password: vote and worker read it (REDIS_PASSWORD_FILE). */
  password: REDIS_PASSWORD_FILE,
  /** `requirepass "<password>"`: the config file redis-server reads, so the password is never on its command line. */
  config: "redis-auth.conf",
  /** redis_exporter's --redis.password-file: a JSON map of Redis URL → password. */
  exporter: "redis-exporter-passwords.json",
} as const;

/** Where Redis reads its Secret. */
const REDIS_SECRET_FOLDER = "/etc/redis/secrets";

/**
 * A Redis config string: double-quoted, with the escapes redis.conf understands (\\, \", \xHH),
 * so any password, spaces and quotes included, is read back exactly.
 */
export function redisConfigString(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x22) out += '\\"';
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `"${out}"`;
}

/**
 * Redis (the `votes` queue) as a one-replica StatefulSet with its append-only file on a PVC. It
 * requires a password, read from its config file in a Secret (never an argument or a variable);
 * the same Secret holds the bare password for vote and worker and redis_exporter's password file.
 */
export class Redis extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Redis";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly url: pulumi.Output<string>;
  /** The Secret with the bare password (key REDIS_SECRET_KEYS.password) and the exporter's file (REDIS_SECRET_KEYS.exporter). */
  readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Redis.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Redis.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);
    check.required(args.password, "password");

    const ns = args.namespace;
    this.url = pulumi.interpolate`redis://redis.${ns}.svc:${PORTS.redis}`;
    const password = pulumi.secret(args.password);
    this.secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: metadata("redis", ns),
        type: "Opaque",
        stringData: {
          [REDIS_SECRET_KEYS.password]: password,
          [REDIS_SECRET_KEYS.config]: pulumi.secret(password.apply((p) => `requirepass ${redisConfigString(p)}\n`)),
          [REDIS_SECRET_KEYS.exporter]: pulumi.secret(pulumi.all([this.url, password]).apply(([url, p]) => `${JSON.stringify({ [url]: p })}\n`)),
        },
      },
      { parent: this },
    );
    const secretFile = (key: string) => posix.join(REDIS_SECRET_FOLDER, key);
    // The probe reads the password from the file into REDISCLI_AUTH, so it never shows in a process list.
    const ping = ["sh", "-c", `REDISCLI_AUTH="$(cat ${secretFile(REDIS_SECRET_KEYS.password)})" redis-cli -p ${PORTS.redis} ping | grep -q PONG`];
    const ports = [{ name: "redis", port: PORTS.redis, targetPort: PORTS.redis }];
    service(`${name}-service`, "redis", ns, ports, this);
    this.statefulSet = statefulSet(
      name,
      "redis",
      {
        namespace: ns,
        replicas: 1,
        governing: { ports },
        claims: [claimTemplate("redis", "data", args.storage)],
        pod: {
          securityContext: podSecurity(999),
          containers: [
            {
              name: "redis",
              image: args.image,
              args: ["redis-server", secretFile(REDIS_SECRET_KEYS.config), "--appendonly", "yes", "--port", String(PORTS.redis)],
              ports: [{ name: "redis", containerPort: PORTS.redis }],
              livenessProbe: tcpProbe(PORTS.redis),
              readinessProbe: execProbe(ping),
              resources: resourcesFor("redis", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "secrets", mountPath: REDIS_SECRET_FOLDER, readOnly: true }],
            },
          ],
          volumes: [
            {
              name: "secrets",
              secret: { secretName: this.secret.metadata.name, defaultMode: 0o440, items: [REDIS_SECRET_KEYS.config, REDIS_SECRET_KEYS.password].map((key) => ({ key, path: key })) },
            },
          ],
        },
      },
      this,
    );
    this.registerOutputs({ url: this.url });
  }
}

export interface PostgresArgs extends PulledKubernetesArgs {
  /** The Secret key holding the `postgres` user's password (mounted as POSTGRES_PASSWORD_FILE). */
  password: SecretKeyRef;
  /** PersistentVolumeClaim of the data directory. */
  storage: StorageArgs;
  /** Database of the votes table. Defaults to APP_DATABASE, the one the app uses on every target. */
  database?: string;
  /** Where the password file is mounted (POSTGRES_PASSWORD_FILE is `<folder>/<password.key>`). Defaults to the folder of APP_SECRET_FILES.postgresPassword, where the app reads it too. */
  passwordFolder?: string;
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
    const passwordFolder = args.passwordFolder ?? posix.dirname(APP_SECRET_FILES.postgresPassword);
    check.check(posix.isAbsolute(passwordFolder), "passwordFolder", `${JSON.stringify(passwordFolder)} must be an absolute path`);
    const database = args.database ?? APP_DATABASE;
    check.check(/^[a-z_][a-z0-9_]{0,62}$/.test(database), "database", `${JSON.stringify(database)} must be a lower-case SQL identifier`);

    const ns = args.namespace;
    const run = scratch("run", "/var/run/postgresql");
    const tmp = scratch("tmp", "/tmp");
    const ready = ["pg_isready", "-U", "postgres", "-d", database, "-h", "127.0.0.1", "-p", String(PORTS.postgres)];
    const ports = [{ name: "postgres", port: PORTS.postgres, targetPort: PORTS.postgres }];
    service(`${name}-service`, "postgres", ns, ports, this);
    this.statefulSet = statefulSet(
      name,
      "postgres",
      {
        namespace: ns,
        replicas: 1,
        governing: { ports },
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
                { name: "POSTGRES_PASSWORD_FILE", value: posix.join(passwordFolder, args.password.key) },
                // A subdirectory: the volume's root may hold lost+found.
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
              ],
              ports: [{ name: "postgres", containerPort: PORTS.postgres }],
              // initdb on a fresh volume takes a while on slow disks; the startupProbe gives it 5 minutes.
              startupProbe: startupProbe(execProbe(ready), 300),
              livenessProbe: execProbe(ready, { initialDelaySeconds: 0 }),
              readinessProbe: execProbe(ready, { initialDelaySeconds: 0 }),
              resources: resourcesFor("postgres", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }, { name: "password", mountPath: passwordFolder, readOnly: true }, run.mount, tmp.mount],
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

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Exporter } from "../../config/components";
import { nodeExporterFlags, postgresExporterFlags, REDIS_CHECKED_KEYS, redisExporterFlags } from "../../render/exporter-flags";
import { posix } from "node:path";
import { APP_DATABASE, APP_SECRET_FILES, PORTS } from "../../render/topology/types";
import { ArgChecker, type Resources } from "../common";
import type { SecretKeyRef } from "./datastores";
import { checkCommon, containerSecurity, daemonSet, deployment, httpProbe, NODE_AGENT_TOLERATIONS, podSecurity, RESOURCES, resourcesFor, service } from "./workload";

/** The exporters that run on Kubernetes (container metrics come from each kubelet's cAdvisor). */
export type KubernetesExporter = Exclude<Exporter, "cadvisor">;

export interface ExportersArgs {
  /** Namespace of redis_exporter and postgres_exporter, beside Redis and Postgres. */
  namespace: pulumi.Input<string>;
  /** Namespace of node-exporter (host PID and host paths: the `privileged` Pod Security level). Defaults to `namespace`. */
  nodeNamespace?: pulumi.Input<string>;
  /** Pinned image of each exporter. */
  images: Record<KubernetesExporter, string>;
  /** Limits per exporter. Defaults to the defaults in config/schema.ts. */
  resources?: Partial<Record<KubernetesExporter, Resources>>;
  /** The Secret key holding the Postgres password. */
  postgresPassword: SecretKeyRef;
  /** The Secret key holding redis_exporter's password file (a JSON map of Redis URL → password; Redis' Secret has it). */
  redisPasswords: SecretKeyRef;
  /** Defaults to APP_DATABASE, the database the app uses. */
  database?: string;
  /** Redis keys exported as `redis_key_size{key=...}`. Defaults to ["votes", "votes:dead"]. */
  queueKeys?: string[];
}

/** Where redis_exporter reads its password file. */
const REDIS_EXPORTER_SECRETS = "/etc/redis_exporter/secrets";

/**
 * redis_exporter and postgres_exporter as Deployments, each with its data store's password from
 * a file; node-exporter as a DaemonSet on every node, tainted ones included (host PID, the host's
 * /proc, /sys and / read-only).
 */
export class Exporters extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Exporters";
  readonly workloads: { "redis-exporter": k8s.apps.v1.Deployment; "postgres-exporter": k8s.apps.v1.Deployment; "node-exporter": k8s.apps.v1.DaemonSet };

  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Exporters.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Exporters.TYPE, name);
    const exporters: KubernetesExporter[] = ["redis-exporter", "postgres-exporter", "node-exporter"];
    checkCommon(check, { namespace: args.namespace });
    check.check(typeof args.images === "object" && args.images !== null, "images", "is required: the pinned image of each exporter");
    for (const exporter of exporters) check.image(args.images[exporter], `images["${exporter}"]`);
    for (const exporter of exporters) if (args.resources?.[exporter] !== undefined) check.schema(RESOURCES, args.resources[exporter], `resources["${exporter}"]`);
    check.required(args.postgresPassword?.name, "postgresPassword.name");
    check.required(args.redisPasswords?.name, "redisPasswords.name");
    check.required(args.redisPasswords?.key, "redisPasswords.key");
    const queueKeys = args.queueKeys ?? REDIS_CHECKED_KEYS;
    check.nonEmpty(queueKeys, "queueKeys", "Redis key");
    for (const key of queueKeys) check.check(/^[^\s,=]+$/.test(key), "queueKeys", `${JSON.stringify(key)} must not contain spaces, commas or "="`);

    const ns = args.namespace;
    const nodeNs = args.nodeNamespace ?? ns;
    const metricsService = (exporter: KubernetesExporter, namespace = ns) => service(`${name}-${exporter}-service`, exporter, namespace, [{ name: "metrics", port: PORTS[exporter], targetPort: PORTS[exporter] }], this);
    const redisPasswordFile = posix.join(REDIS_EXPORTER_SECRETS, args.redisPasswords.key);
    const postgresPasswordFile = APP_SECRET_FILES.postgresPassword;
    const probes = (exporter: KubernetesExporter, path: string) => ({ livenessProbe: httpProbe(path, PORTS[exporter], { initialDelaySeconds: 10 }), readinessProbe: httpProbe(path, PORTS[exporter]) });

    const redisExporter = deployment(
      `${name}-redis-exporter`,
      "redis-exporter",
      {
        namespace: ns,
        replicas: 1,
        pod: {
          securityContext: podSecurity(59000),
          containers: [
            {
              name: "redis-exporter",
              image: args.images["redis-exporter"],
              // The password file is keyed by REDIS_ADDR exactly as written here.
              args: [...redisExporterFlags(`:${PORTS["redis-exporter"]}`, queueKeys), `--redis.password-file=${redisPasswordFile}`],
              env: [{ name: "REDIS_ADDR", value: pulumi.interpolate`redis://redis.${ns}.svc:${PORTS.redis}` }],
              ports: [{ name: "metrics", containerPort: PORTS["redis-exporter"] }],
              ...probes("redis-exporter", "/health"),
              resources: resourcesFor("redis-exporter", args.resources?.["redis-exporter"]),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: "redis-passwords", mountPath: REDIS_EXPORTER_SECRETS, readOnly: true }],
            },
          ],
          volumes: [{ name: "redis-passwords", secret: { secretName: args.redisPasswords.name, defaultMode: 0o440, items: [{ key: args.redisPasswords.key, path: args.redisPasswords.key }] } }],
        },
      },
      this,
    );
    metricsService("redis-exporter");

    const postgresExporter = deployment(
      `${name}-postgres-exporter`,
      "postgres-exporter",
      {
        namespace: ns,
        replicas: 1,
        pod: {
          securityContext: podSecurity(65534),
          containers: [
            {
              name: "postgres-exporter",
              image: args.images["postgres-exporter"],
              args: postgresExporterFlags(`:${PORTS["postgres-exporter"]}`),
              env: [
                { name: "DATA_SOURCE_URI", value: pulumi.interpolate`postgres.${ns}.svc:${PORTS.postgres}/${args.database ?? APP_DATABASE}?sslmode=disable` },
                { name: "DATA_SOURCE_USER", value: "postgres" },
                { name: "DATA_SOURCE_PASS_FILE", value: postgresPasswordFile },
              ],
              ports: [{ name: "metrics", containerPort: PORTS["postgres-exporter"] }],
              ...probes("postgres-exporter", "/"),
              resources: resourcesFor("postgres-exporter", args.resources?.["postgres-exporter"]),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: "postgres-password", mountPath: posix.dirname(postgresPasswordFile), readOnly: true }],
            },
          ],
          volumes: [{ name: "postgres-password", secret: { secretName: args.postgresPassword.name, defaultMode: 0o440, items: [{ key: args.postgresPassword.key, path: posix.basename(postgresPasswordFile) }] } }],
        },
      },
      this,
    );
    metricsService("postgres-exporter");

    const hostPath = (name: string, path: string) => ({ name, hostPath: { path } });
    const nodeExporter = daemonSet(
      `${name}-node-exporter`,
      "node-exporter",
      {
        namespace: nodeNs,
        pod: {
          securityContext: podSecurity(65534),
          hostPID: true,
          tolerations: NODE_AGENT_TOLERATIONS,
          containers: [
            {
              name: "node-exporter",
              image: args.images["node-exporter"],
              args: nodeExporterFlags(`:${PORTS["node-exporter"]}`, { procfs: "/host/proc", sysfs: "/host/sys", rootfs: "/host/root" }),
              ports: [{ name: "metrics", containerPort: PORTS["node-exporter"] }],
              ...probes("node-exporter", "/"),
              resources: resourcesFor("node-exporter", args.resources?.["node-exporter"]),
              securityContext: containerSecurity(),
              volumeMounts: [
                { name: "proc", mountPath: "/host/proc", readOnly: true },
                { name: "sys", mountPath: "/host/sys", readOnly: true },
                { name: "root", mountPath: "/host/root", readOnly: true, mountPropagation: "HostToContainer" },
              ],
            },
          ],
          volumes: [hostPath("proc", "/proc"), hostPath("sys", "/sys"), hostPath("root", "/")],
        },
      },
      this,
    );
    metricsService("node-exporter", nodeNs);

    this.workloads = { "redis-exporter": redisExporter, "postgres-exporter": postgresExporter, "node-exporter": nodeExporter };
    this.registerOutputs({});
  }
}

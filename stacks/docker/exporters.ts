import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Exporter } from "../../config/components";
import { CADVISOR_MINIMUM } from "../../config/versions";
import { nodeExporterFlags, postgresExporterFlags, REDIS_CHECKED_KEYS, redisExporterFlags } from "../../render/exporter-flags";
import { redisExporterPasswordFile } from "../../render/redis";
import { PORTS, SERVICE_LABEL, STACK_LABEL, type HostPort } from "../../render/topology/types";
import { ArgChecker, type Resources } from "../common";
import { FOLDERS } from "../files";
import { checkCommon, pulledImage, serviceContainer, wgetCheck, type DockerComponentArgs, type RestartPolicy } from "./container";

/** "0.54.1" → [0, 54, 1]; undefined for a digest or a tag that is no version. */
function versionOf(text: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** True when the cAdvisor image's tag is older than CADVISOR_MINIMUM (a tag that is no version is not judged). */
export function cadvisorTooOld(image: string): boolean {
  const tag = image.includes("@") ? "" : image.slice(image.lastIndexOf(":") + 1);
  const have = versionOf(tag);
  const need = versionOf(CADVISOR_MINIMUM.release)!;
  if (!have) return false;
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i] < need[i];
  return false;
}

export interface ExportersArgs {
  /** Pinned image of each exporter. */
  images: Record<Exporter, string>;
  /**
   * Network names: `monitoring` (Prometheus scrapes there), `redisTier` (redis-exporter reaches
   * Redis) and `postgresTier` (postgres-exporter reaches Postgres).
   */
  networks: { monitoring: pulumi.Input<string>; redisTier: pulumi.Input<string>; postgresTier: pulumi.Input<string> };
  /** Limits per exporter. Defaults to the defaults in config/schema.ts. */
  resources?: Partial<Record<Exporter, Resources>>;
  /** Redis the redis_exporter watches (the topology's `app.redis`) and its password (a Pulumi secret, placed as a file). */
  redis: HostPort & { password: pulumi.Input<string> };
  /**
   * Redis keys whose length redis_exporter exports as `redis_key_size{key=...}`. Defaults to
   * ["votes", "votes:dead"]: the queue-depth alert reads `redis_key_size{key="votes"}`.
   */
  queueKeys?: string[];
  /** Postgres the postgres_exporter watches (the topology's `app.postgres`); the password is a Pulumi secret, placed as a file. */
  postgres: HostPort & { database: string; password: pulumi.Input<string> };
  /** Host paths cAdvisor and node-exporter read. Defaults to the usual Linux paths (/, /sys, /var/run, /var/lib/docker, /dev/disk). */
  hostPaths?: { root?: string; sys?: string; varRun?: string; dockerData?: string; devDisk?: string };
  /** The stack's label (see DockerComponentArgs.stack). */
  stack: string;
  /** Prefix of container names. Defaults to "voteobs". */
  namePrefix?: string;
  /** Defaults to "unless-stopped". */
  restart?: RestartPolicy;
  /** Defaults to true. */
  waitForHealthy?: boolean;
}

/**
 * The exporters: redis_exporter (with the `votes` key checked), postgres_exporter, node-exporter
 * (the host) and cAdvisor (CPU, memory and restarts of every container, labelled by the
 * `voteobs.service` and `voteobs.stack` Docker labels; prometheus.yml keeps this stack's).
 */
export class Exporters extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Exporters";
  readonly containers: Record<Exporter, docker.Container>;

  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Exporters.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Exporters.TYPE, name);
    const exporters: Exporter[] = ["redis-exporter", "postgres-exporter", "node-exporter", "cadvisor"];
    check.check(typeof args.images === "object" && args.images !== null, "images", "is required: the pinned image of each exporter");
    for (const exporter of exporters) check.image(args.images[exporter], `images["${exporter}"]`);
    check.check(!cadvisorTooOld(args.images.cadvisor), 'images["cadvisor"]', `${args.images.cadvisor} is older than v${CADVISOR_MINIMUM.release}: ${CADVISOR_MINIMUM.reason}`);
    for (const network of ["monitoring", "redisTier", "postgresTier"] as const) check.required(args.networks?.[network], `networks.${network}`);
    for (const exporter of exporters) check.resources(args.resources?.[exporter], `resources["${exporter}"]`);
    const queueKeys = args.queueKeys ?? REDIS_CHECKED_KEYS;
    check.nonEmpty(queueKeys, "queueKeys", "Redis key");
    for (const key of queueKeys) check.check(/^[^\s,=]+$/.test(key), "queueKeys", `${JSON.stringify(key)} must not contain spaces, commas or "="`);
    check.required(args.redis?.password, "redis.password");
    check.required(args.postgres?.password, "postgres.password");

    const common = (exporter: Exporter, networks: pulumi.Input<string>[]): DockerComponentArgs => ({
      stack: args.stack,
      networks,
      resources: args.resources?.[exporter],
      namePrefix: args.namePrefix,
      restart: args.restart,
      waitForHealthy: args.waitForHealthy,
    });
    for (const exporter of exporters) checkCommon(check, common(exporter, [args.networks.monitoring]));
    const host = { root: "/", sys: "/sys", varRun: "/var/run", dockerData: "/var/lib/docker", devDisk: "/dev/disk", ...args.hostPaths };
    const image = (exporter: Exporter) => pulledImage(`${name}-${exporter}-image`, args.images[exporter], this).imageId;
    const passwordFile = `${FOLDERS.postgresSecrets}/postgres-password`;
    const redisAddress = `redis://${args.redis.host}:${args.redis.port}`;
    const redisPasswordFile = `${FOLDERS.redisSecrets}/redis-exporter-passwords.json`;

    this.containers = {
      "redis-exporter": serviceContainer(
        `${name}-redis-exporter`,
        {
          component: "redis-exporter",
          image: image("redis-exporter"),
          common: common("redis-exporter", [args.networks.redisTier, args.networks.monitoring]),
          user: "59000:59000",
          envs: [`REDIS_ADDR=${redisAddress}`],
          command: redisExporterFlags(`:${PORTS["redis-exporter"]}`, queueKeys, redisPasswordFile),
          secretFiles: { [redisPasswordFile]: pulumi.output(args.redis.password).apply((password) => redisExporterPasswordFile(redisAddress, password)) },
          // wget comes with the -alpine image variant (the default); the plain tag is a scratch image.
          healthcheck: wgetCheck(`http://127.0.0.1:${PORTS["redis-exporter"]}/health`),
        },
        this,
      ),
      "postgres-exporter": serviceContainer(
        `${name}-postgres-exporter`,
        {
          component: "postgres-exporter",
          image: image("postgres-exporter"),
          common: common("postgres-exporter", [args.networks.postgresTier, args.networks.monitoring]),
          user: "65534:65534",
          envs: [
            `DATA_SOURCE_URI=${args.postgres.host}:${args.postgres.port}/${args.postgres.database}?sslmode=disable`,
            "DATA_SOURCE_USER=postgres",
            `DATA_SOURCE_PASS_FILE=${passwordFile}`,
          ],
          command: postgresExporterFlags(`:${PORTS["postgres-exporter"]}`),
          secretFiles: { [passwordFile]: args.postgres.password },
          healthcheck: wgetCheck(`http://127.0.0.1:${PORTS["postgres-exporter"]}/`),
        },
        this,
      ),
      "node-exporter": serviceContainer(
        `${name}-node-exporter`,
        {
          component: "node-exporter",
          image: image("node-exporter"),
          common: common("node-exporter", [args.networks.monitoring]),
          user: "65534:65534",
          pidMode: "host",
          command: nodeExporterFlags(`:${PORTS["node-exporter"]}`, { rootfs: "/host" }),
          mounts: [{ type: "bind", source: host.root, target: "/host", readOnly: true, bindOptions: { propagation: "rslave" } }],
          healthcheck: wgetCheck(`http://127.0.0.1:${PORTS["node-exporter"]}/`),
        },
        this,
      ),
      cadvisor: serviceContainer(
        `${name}-cadvisor`,
        {
          component: "cadvisor",
          image: image("cadvisor"),
          common: common("cadvisor", [args.networks.monitoring]),
          command: [
            `--port=${PORTS.cadvisor}`,
            "--docker_only=true",
            "--housekeeping_interval=10s",
            // Only our labels: every series carries container_label_voteobs_service and _stack, nothing else.
            "--store_container_labels=false",
            `--whitelisted_container_labels=${SERVICE_LABEL},${STACK_LABEL}`,
            "--disable_metrics=advtcp,cpu_topology,cpuset,hugetlb,memory_numa,percpu,process,referenced_memory,resctrl,sched,tcp,udp",
          ],
          // As cAdvisor's documentation runs it: it reads every cgroup, /dev/kmsg (OOM events), the
          // Docker data root and, through /var/run, the containerd socket (v0.54 asks containerd for
          // the container's root on the containerd image store). The one container that keeps privileges.
          privileged: true,
          devices: [{ hostPath: "/dev/kmsg", containerPath: "/dev/kmsg" }],
          volumes: [
            { hostPath: host.root, containerPath: "/rootfs", readOnly: true },
            { hostPath: host.varRun, containerPath: "/var/run", readOnly: true },
            { hostPath: host.sys, containerPath: "/sys", readOnly: true },
            { hostPath: host.dockerData, containerPath: "/var/lib/docker", readOnly: true },
            { hostPath: host.devDisk, containerPath: "/dev/disk", readOnly: true },
          ],
          healthcheck: wgetCheck(`http://127.0.0.1:${PORTS.cadvisor}/healthz`),
        },
        this,
      ),
    };
    this.registerOutputs({ containers: Object.fromEntries(Object.entries(this.containers).map(([k, c]) => [k, c.id])) });
  }
}

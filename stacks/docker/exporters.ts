import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Exporter } from "../../config/components";
import { nodeExporterFlags, postgresExporterFlags, REDIS_CHECKED_KEYS, redisExporterFlags } from "../../render/exporter-flags";
import { PORTS, SERVICE_LABEL } from "../../render/topology/types";
import { ArgChecker, type Resources } from "../common";
import { FOLDERS } from "../files";
import { checkCommon, pulledImage, serviceContainer, wgetCheck, type DockerComponentArgs, type RestartPolicy } from "./container";

export interface ExportersArgs {
  /** Pinned image of each exporter. */
  images: Record<Exporter, string>;
  /** Network names: `monitoring` (Prometheus scrapes there) and `backTier` (where Redis and Postgres are). */
  networks: { monitoring: pulumi.Input<string>; backTier: pulumi.Input<string> };
  /** Limits per exporter. Defaults to the defaults in config/schema.ts. */
  resources?: Partial<Record<Exporter, Resources>>;
  /** Redis the redis_exporter watches. Defaults to "redis://redis:6379". */
  redisUrl?: string;
  /**
   * Redis keys whose length redis_exporter exports as `redis_key_size{key=...}`. Defaults to
   * ["votes", "votes:dead"]: the queue-depth alert reads `redis_key_size{key="votes"}`.
   */
  queueKeys?: string[];
  /** Postgres the postgres_exporter watches; the password is a Pulumi secret, uploaded as a file. */
  postgres: { host?: string; database?: string; password: pulumi.Input<string> };
  /** Host paths cAdvisor and node-exporter read. Defaults to the usual Linux paths (/, /sys, /var/run, /var/lib/docker, /dev/disk). */
  hostPaths?: { root?: string; sys?: string; varRun?: string; dockerData?: string; devDisk?: string };
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
 * `voteobs.service` Docker label).
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
    const cadvisorVersion = /:v(\d+)\.(\d+)/.exec(args.images.cadvisor);
    if (cadvisorVersion) check.check(Number(cadvisorVersion[1]) > 0 || Number(cadvisorVersion[2]) >= 49, 'images["cadvisor"]', `${args.images.cadvisor} is older than v0.49, which reads cgroup v2 hosts correctly`);
    check.required(args.networks?.monitoring, "networks.monitoring");
    check.required(args.networks?.backTier, "networks.backTier");
    for (const exporter of exporters) check.resources(args.resources?.[exporter], `resources["${exporter}"]`);
    if (args.redisUrl !== undefined) check.check(/^rediss?:\/\/[^\s/]+(:\d+)?\/?$/.test(args.redisUrl), "redisUrl", `${JSON.stringify(args.redisUrl)} must be redis://host:port`);
    const queueKeys = args.queueKeys ?? REDIS_CHECKED_KEYS;
    check.nonEmpty(queueKeys, "queueKeys", "Redis key");
    for (const key of queueKeys) check.check(/^[^\s,=]+$/.test(key), "queueKeys", `${JSON.stringify(key)} must not contain spaces, commas or "="`);
    check.required(args.postgres?.password, "postgres.password");

    const common = (exporter: Exporter, networks: pulumi.Input<string>[]): DockerComponentArgs => ({
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

    this.containers = {
      "redis-exporter": serviceContainer(
        `${name}-redis-exporter`,
        {
          component: "redis-exporter",
          image: image("redis-exporter"),
          common: common("redis-exporter", [args.networks.backTier, args.networks.monitoring]),
          user: "59000:59000",
          envs: [`REDIS_ADDR=${args.redisUrl ?? `redis://redis:${PORTS.redis}`}`],
          command: redisExporterFlags(`:${PORTS["redis-exporter"]}`, queueKeys),
          readOnly: true,
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
          common: common("postgres-exporter", [args.networks.backTier, args.networks.monitoring]),
          user: "65534:65534",
          envs: [
            `DATA_SOURCE_URI=${args.postgres.host ?? "postgres"}:${PORTS.postgres}/${args.postgres.database ?? "postgres"}?sslmode=disable`,
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
          readOnly: true,
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
            // Only our label, so every series carries container_label_voteobs_service and nothing else.
            "--store_container_labels=false",
            `--whitelisted_container_labels=${SERVICE_LABEL}`,
            "--disable_metrics=advtcp,cpu_topology,cpuset,hugetlb,memory_numa,percpu,process,referenced_memory,resctrl,sched,tcp,udp",
          ],
          // As cAdvisor's documentation runs it: it reads every cgroup, /dev/kmsg (OOM events) and the
          // Docker data root. The one container that keeps privileges.
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

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { memoryBytes } from "../../config/quantities";
import { stackSchema } from "../../config/schema";
import { PORTS } from "../../render/topology/types";
import { ArgChecker, DEFAULTS } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import {
  checkCommon,
  checkStorage,
  claimTemplate,
  configHash,
  containerSecurity,
  disruptionBudget,
  filesConfigMap,
  filesSecret,
  httpProbe,
  labelsFor,
  metadata,
  podSecurity,
  resourcesFor,
  service,
  spreadOverNodes,
  statefulSet,
  type PulledKubernetesArgs,
  type StorageArgs,
} from "./workload";

export interface PrometheusArgs extends PulledKubernetesArgs {
  /** The rendered `prometheus/` folder keyed by path inside it: prometheus.yml and rules/*.yml. */
  files: Record<string, string>;
  /** The TSDB's PersistentVolumeClaim. */
  storage: StorageArgs;
  /** How long samples are kept. Defaults to config/schema.ts's prometheus.retention (15d). */
  retention?: string;
  /**
   * Upper bound on the TSDB size, e.g. "16GB" (Prometheus' units are powers of 2). Defaults to
   * 80% of `storage.size`: Prometheus then deletes the oldest blocks before the volume fills up
   * (the WAL and the block being compacted need the rest). Must not exceed the volume.
   */
  retentionSize?: string;
  /** Namespaces whose Services it discovers (a Role in each). Defaults to [namespace]. */
  discoveryNamespaces?: pulumi.Input<string>[];
  /** Name prefix of the cluster-wide RBAC objects (ClusterRole names are global). Defaults to "voteobs-<namespace>". */
  clusterRolePrefix?: string;
  /**
   * Replicas, each scraping everything (kubernetes.prometheusReplicas). With 2 or more they spread
   * over the nodes and a PodDisruptionBudget keeps all but one up. Defaults to 1.
   */
  replicas?: number;
  /** The container's environment, e.g. prometheusPodEnv(config) (render/prometheus-replicas.ts): the pod name the replica label expands. Defaults to none. */
  env?: k8s.types.input.core.v1.EnvVar[];
  /** More flags, e.g. remoteWriteFlags(config) (render/remote-write.ts). Defaults to none. */
  flags?: string[];
  /**
   * Secret files prometheus.yml names (remote-write passwords and tokens), keyed by file name:
   * one Secret mounted at the secrets folder. Defaults to none.
   */
  secretFiles?: Record<string, pulumi.Input<string>>;
}

/** Share of the TSDB volume that `--storage.tsdb.retention.size` allows by default. */
const RETENTION_SHARE_OF_VOLUME = 0.8;

const PROMETHEUS_UNITS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };

/** Bytes of a Prometheus size ("16GB" is 16 GiB: Prometheus reads KB, MB, GB, TB as powers of 2). */
function prometheusBytes(size: string): number {
  const match = /^(\d+)(B|KB|MB|GB|TB)$/.exec(size);
  if (!match) throw new Error(`not a Prometheus size: ${size}`);
  return Number(match[1]) * PROMETHEUS_UNITS[match[2]];
}

/** 80% of a volume as a Prometheus size, in whole GB when it is one, else in MB: "20Gi" → "16GB". */
function retentionSizeFor(volume: string): string {
  const mib = Math.floor((memoryBytes(volume) * RETENTION_SHARE_OF_VOLUME) / 2 ** 20);
  return mib % 1024 === 0 ? `${mib / 1024}GB` : `${mib}MB`;
}

/**
 * Prometheus as a StatefulSet (one replica, or an HA set that each scrape everything) with its
 * TSDB on a PVC per replica, its size bounded under the volume's. It discovers the Services of the stack's namespaces (EndpointSlices, with their pods
 * and Services for labels) and scrapes each kubelet's cAdvisor, so its ServiceAccount may list and
 * watch endpointslices, services and pods in those namespaces, list and watch nodes, and get
 * nodes/metrics (the kubelet's /metrics/cadvisor); nothing else.
 */
export class Prometheus extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Prometheus";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly service: k8s.core.v1.Service;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Prometheus.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Prometheus.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);
    check.files(args.files, ["prometheus.yml"]);
    check.check(Object.keys(args.files).every((f) => f === "prometheus.yml" || /^rules\/[a-z0-9-]+\.yml$/.test(f)), "files", "may only hold prometheus.yml and rules/<name>.yml");
    const fields = stackSchema.shape.prometheus.unwrap().shape;
    const retention = args.retention ?? DEFAULTS.prometheus.retention;
    check.schema(fields.retention, retention, "retention");
    const retentionSize = args.retentionSize ?? retentionSizeFor(args.storage.size);
    check.schema(fields.retentionSize, retentionSize, "retentionSize");
    check.check(prometheusBytes(retentionSize) <= memoryBytes(args.storage.size), "retentionSize", `${retentionSize} is more than the ${args.storage.size} volume: the volume would fill up before Prometheus deletes old data; use at most ${retentionSizeFor(args.storage.size)} (80%)`);
    const replicas = args.replicas ?? DEFAULTS.kubernetes.prometheusReplicas;
    check.schema(stackSchema.shape.kubernetes.unwrap().shape.prometheusReplicas, replicas, "replicas");
    for (const fileName of Object.keys(args.secretFiles ?? {})) check.secretFileName(fileName, `secretFiles["${fileName}"]`);

    const ns = args.namespace;
    const placed = placeRenderedFiles(prefixed("prometheus/", args.files));
    const config = filesConfigMap(`${name}-config`, "prometheus", "config", FOLDERS.prometheusConfig, placed.filter((f) => f.folder === "prometheusConfig"), ns, this);
    const rules = filesConfigMap(`${name}-rules`, "prometheus", "rules", FOLDERS.prometheusRules, placed.filter((f) => f.folder === "prometheusRules"), ns, this);
    const secretFiles = args.secretFiles ?? {};
    const secrets = Object.keys(secretFiles).length > 0 ? filesSecret(`${name}-secrets`, "prometheus", "secrets", FOLDERS.prometheusSecrets, secretFiles, ns, this) : undefined;

    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: metadata("prometheus", ns, "prometheus") }, { parent: this });
    const rolePrefix = args.clusterRolePrefix ?? pulumi.interpolate`voteobs-${ns}`;
    // Cluster-wide: the node list (role: node finds the kubelets) and the kubelets' /metrics/* (cAdvisor).
    const clusterRole = new k8s.rbac.v1.ClusterRole(
      `${name}-nodes`,
      {
        metadata: { name: pulumi.interpolate`${rolePrefix}-prometheus`, labels: labelsFor("prometheus") },
        rules: [
          { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] },
          { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
        ],
      },
      { parent: this },
    );
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-nodes`,
      {
        metadata: { name: pulumi.interpolate`${rolePrefix}-prometheus`, labels: labelsFor("prometheus") },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
      },
      { parent: this },
    );
    // In each namespace: the EndpointSlices of its Services, and the Services and pods they label targets with.
    (args.discoveryNamespaces ?? [ns]).forEach((namespace, i) => {
      const suffix = i === 0 ? "" : `-${i}`;
      const role = new k8s.rbac.v1.Role(
        `${name}-discovery${suffix}`,
        {
          metadata: metadata("prometheus", namespace, "prometheus-discovery"),
          rules: [
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
            { apiGroups: [""], resources: ["services", "pods"], verbs: ["list", "watch"] },
          ],
        },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-discovery${suffix}`,
        {
          metadata: metadata("prometheus", namespace, "prometheus-discovery"),
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
        },
        { parent: this },
      );
    });

    const ports = [{ name: "metrics", port: PORTS.prometheus, targetPort: PORTS.prometheus }];
    this.service = service(`${name}-service`, "prometheus", ns, ports, this);
    if (replicas > 1) disruptionBudget(`${name}-pdb`, "prometheus", ns, this);
    const env = args.env ?? [];
    this.statefulSet = statefulSet(
      name,
      "prometheus",
      {
        namespace: ns,
        replicas,
        governing: { ports },
        annotations: configHash(config.hash, rules.hash),
        claims: [claimTemplate("prometheus", "data", args.storage)],
        pod: {
          serviceAccountName: account.metadata.name,
          automountServiceAccountToken: true,
          securityContext: podSecurity(65534),
          terminationGracePeriodSeconds: 60,
          // Replicas on different nodes, so one node down leaves one scraping and alerting.
          ...(replicas > 1 ? { topologySpreadConstraints: spreadOverNodes("prometheus", "StatefulSet") } : {}),
          containers: [
            {
              name: "prometheus",
              image: args.image,
              args: [
                `--config.file=${CONFIG_FILES.prometheus}`,
                "--storage.tsdb.path=/prometheus",
                `--storage.tsdb.retention.time=${retention}`,
                `--storage.tsdb.retention.size=${retentionSize}`,
                `--web.listen-address=:${PORTS.prometheus}`,
                ...(args.flags ?? []),
              ],
              ...(env.length > 0 ? { env } : {}),
              ports: [{ name: "metrics", containerPort: PORTS.prometheus }],
              livenessProbe: httpProbe("/-/healthy", PORTS.prometheus, { initialDelaySeconds: 30 }),
              readinessProbe: httpProbe("/-/ready", PORTS.prometheus),
              resources: resourcesFor("prometheus", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [config.mount, rules.mount, ...(secrets ? [secrets.mount] : []), { name: "data", mountPath: "/prometheus" }],
            },
          ],
          volumes: [config.volume, rules.volume, ...(secrets ? [secrets.volume] : [])],
        },
      },
      this,
    );
    this.url = pulumi.interpolate`http://prometheus.${ns}.svc:${PORTS.prometheus}`;
    this.registerOutputs({ url: this.url });
  }
}

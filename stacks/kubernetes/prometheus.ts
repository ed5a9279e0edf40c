import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, checkStorage, claimTemplate, configHash, containerSecurity, filesConfigMap, httpProbe, labelsFor, metadata, podSecurity, resourcesFor, service, statefulSet, type PulledKubernetesArgs, type StorageArgs } from "./workload";

export interface PrometheusArgs extends PulledKubernetesArgs {
  /** The rendered `prometheus/` folder keyed by path inside it: prometheus.yml and rules/*.yml. */
  files: Record<string, string>;
  /** The TSDB's PersistentVolumeClaim. */
  storage: StorageArgs;
  /** How long samples are kept. Defaults to "15d". */
  retention?: string;
  /** Upper bound on the TSDB size, e.g. "10GB". Defaults to no bound. */
  retentionSize?: string;
  /** Name prefix of the cluster-wide RBAC objects (ClusterRole names are global). Defaults to "voteobs-<namespace>". */
  clusterRolePrefix?: string;
}

/**
 * Prometheus as a one-replica StatefulSet with its TSDB on a PVC. It discovers the namespace's
 * Services (endpoints role) and scrapes each kubelet's cAdvisor, so its ServiceAccount may list
 * services, endpoints and pods in the namespace and read nodes/metrics and nodes/proxy.
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
    if (args.retention !== undefined) check.check(/^(\d+(y|w|d|h|m|s|ms))+$/.test(args.retention), "retention", `${JSON.stringify(args.retention)} must be a Prometheus duration such as "15d"`);
    if (args.retentionSize !== undefined) check.check(/^\d+(B|KB|MB|GB|TB)$/.test(args.retentionSize), "retentionSize", `${JSON.stringify(args.retentionSize)} must be a size such as "10GB"`);

    const ns = args.namespace;
    const placed = placeRenderedFiles(prefixed("prometheus/", args.files));
    const config = filesConfigMap(`${name}-config`, "prometheus", "config", FOLDERS.prometheusConfig, placed.filter((f) => f.folder === "prometheusConfig"), ns, this);
    const rules = filesConfigMap(`${name}-rules`, "prometheus", "rules", FOLDERS.prometheusRules, placed.filter((f) => f.folder === "prometheusRules"), ns, this);

    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: metadata("prometheus", ns, "prometheus") }, { parent: this });
    const rolePrefix = args.clusterRolePrefix ?? pulumi.interpolate`voteobs-${ns}`;
    // Cluster-wide: only the kubelet's metrics (cAdvisor) and the node list to find kubelets.
    const clusterRole = new k8s.rbac.v1.ClusterRole(
      `${name}-nodes`,
      {
        metadata: { name: pulumi.interpolate`${rolePrefix}-prometheus`, labels: labelsFor("prometheus") },
        rules: [
          { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
          { apiGroups: [""], resources: ["nodes/metrics", "nodes/proxy"], verbs: ["get"] },
          { nonResourceURLs: ["/metrics", "/metrics/cadvisor"], verbs: ["get"] },
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
    // In the namespace: service discovery of our components.
    const role = new k8s.rbac.v1.Role(
      `${name}-discovery`,
      {
        metadata: metadata("prometheus", ns, "prometheus-discovery"),
        rules: [
          { apiGroups: [""], resources: ["services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        ],
      },
      { parent: this },
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-discovery`,
      {
        metadata: metadata("prometheus", ns, "prometheus-discovery"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
      },
      { parent: this },
    );

    this.service = service(`${name}-service`, "prometheus", ns, [{ name: "metrics", port: PORTS.prometheus, targetPort: PORTS.prometheus }], this);
    this.statefulSet = statefulSet(
      name,
      "prometheus",
      {
        namespace: ns,
        replicas: 1,
        serviceName: "prometheus",
        annotations: configHash(config.hash, rules.hash),
        claims: [claimTemplate("prometheus", "data", args.storage)],
        pod: {
          serviceAccountName: account.metadata.name,
          automountServiceAccountToken: true,
          securityContext: podSecurity(65534),
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "prometheus",
              image: args.image,
              args: [
                `--config.file=${CONFIG_FILES.prometheus}`,
                "--storage.tsdb.path=/prometheus",
                `--storage.tsdb.retention.time=${args.retention ?? "15d"}`,
                ...(args.retentionSize ? [`--storage.tsdb.retention.size=${args.retentionSize}`] : []),
                `--web.listen-address=:${PORTS.prometheus}`,
              ],
              ports: [{ name: "metrics", containerPort: PORTS.prometheus }],
              livenessProbe: httpProbe("/-/healthy", PORTS.prometheus, { initialDelaySeconds: 30 }),
              readinessProbe: httpProbe("/-/ready", PORTS.prometheus),
              resources: resourcesFor("prometheus", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [config.mount, rules.mount, { name: "data", mountPath: "/prometheus" }],
            },
          ],
          volumes: [config.volume, rules.volume],
        },
      },
      this,
    );
    this.url = pulumi.interpolate`http://prometheus.${ns}.svc:${PORTS.prometheus}`;
    this.registerOutputs({ url: this.url });
  }
}

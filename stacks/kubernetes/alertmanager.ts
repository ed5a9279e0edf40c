import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stackSchema } from "../../config/schema";
import { ALERTMANAGER_CLUSTER_PORT, ALERTMANAGER_PEERS_SERVICE } from "../../render/topology/kubernetes";
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
  podSecurity,
  resourcesFor,
  scratch,
  service,
  spreadOverNodes,
  statefulSet,
  type PulledKubernetesArgs,
  type StorageArgs,
} from "./workload";

/** Gossip port of the Alertmanager cluster. */
const CLUSTER_PORT = ALERTMANAGER_CLUSTER_PORT;

export interface AlertmanagerArgs extends PulledKubernetesArgs {
  /** The rendered `alertmanager/` folder keyed by path inside it: alertmanager.yml and templates/*.tmpl. */
  files: Record<string, string>;
  /** Secret files the rendered config reads (Slack webhook URLs, SMTP passwords), keyed by file name. Defaults to none. */
  secretFiles?: Record<string, pulumi.Input<string>>;
  /** Replicas, clustered through the headless Service `alertmanager-peers`. Defaults to config/schema.ts's kubernetes.alertmanagerReplicas (3). */
  replicas?: number;
  /** Each replica's PersistentVolumeClaim (notification log and silences). */
  storage: StorageArgs;
}

/**
 * Alertmanager as a StatefulSet of clustered replicas: each replica gossips with the others at
 * `alertmanager-<n>.alertmanager-peers.<ns>.svc:9094`, so a notification goes out once and
 * silences are shared. Prometheus sends every alert to every replica (the rendered config lists them).
 */
export class Alertmanager extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Alertmanager";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Alertmanager.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Alertmanager.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);
    check.files(args.files, ["alertmanager.yml"]);
    check.check(Object.keys(args.files).every((f) => f === "alertmanager.yml" || /^templates\/[^/]+\.tmpl$/.test(f)), "files", "may only hold alertmanager.yml and templates/<name>.tmpl");
    for (const fileName of Object.keys(args.secretFiles ?? {})) check.secretFileName(fileName, `secretFiles["${fileName}"]`);
    const replicas = args.replicas ?? DEFAULTS.kubernetes.alertmanagerReplicas;
    check.schema(stackSchema.shape.kubernetes.unwrap().shape.alertmanagerReplicas, replicas, "replicas");

    const ns = args.namespace;
    const placed = placeRenderedFiles(prefixed("alertmanager/", args.files));
    const config = filesConfigMap(`${name}-config`, "alertmanager", "config", FOLDERS.alertmanagerConfig, placed.filter((f) => f.folder === "alertmanagerConfig"), ns, this);
    const templates = filesConfigMap(`${name}-templates`, "alertmanager", "templates", FOLDERS.alertmanagerTemplates, placed.filter((f) => f.folder === "alertmanagerTemplates"), ns, this);
    const secretFiles = args.secretFiles ?? {};
    const secrets = Object.keys(secretFiles).length > 0 ? filesSecret(`${name}-secrets`, "alertmanager", "secrets", FOLDERS.alertmanagerSecrets, secretFiles, ns, this) : undefined;

    // The ClusterIP Service reaches any ready replica: Grafana's datasource and people use it.
    service(`${name}-service`, "alertmanager", ns, [{ name: "metrics", port: PORTS.alertmanager, targetPort: PORTS.alertmanager }], this);
    if (replicas > 1) disruptionBudget(`${name}-pdb`, "alertmanager", ns, this);

    const peers = Array.from({ length: replicas }, (_, i) => pulumi.interpolate`--cluster.peer=alertmanager-${i}.${ALERTMANAGER_PEERS_SERVICE}.${ns}.svc:${CLUSTER_PORT}`);
    const tmp = scratch("tmp", "/tmp");
    this.statefulSet = statefulSet(
      name,
      "alertmanager",
      {
        namespace: ns,
        replicas,
        // Governing and peers Service: each replica is alertmanager-<n>.alertmanager-peers, ready or not.
        governing: {
          name: ALERTMANAGER_PEERS_SERVICE,
          ports: [
            { name: "web", port: PORTS.alertmanager, targetPort: PORTS.alertmanager },
            { name: "cluster-tcp", port: CLUSTER_PORT, targetPort: CLUSTER_PORT, protocol: "TCP" },
            { name: "cluster-udp", port: CLUSTER_PORT, targetPort: CLUSTER_PORT, protocol: "UDP" },
          ],
        },
        parallel: true,
        annotations: configHash(config.hash, templates.hash),
        claims: [claimTemplate("alertmanager", "data", args.storage)],
        pod: {
          securityContext: podSecurity(65534),
          // Replicas on different nodes, so one node down leaves the cluster a quorum of notifiers.
          topologySpreadConstraints: spreadOverNodes("alertmanager", "StatefulSet"),
          containers: [
            {
              name: "alertmanager",
              image: args.image,
              args: [
                `--config.file=${CONFIG_FILES.alertmanager}`,
                "--storage.path=/alertmanager",
                `--web.listen-address=:${PORTS.alertmanager}`,
                ...(replicas > 1 ? [`--cluster.listen-address=0.0.0.0:${CLUSTER_PORT}`, `--cluster.advertise-address=$(POD_IP):${CLUSTER_PORT}`, ...peers] : ["--cluster.listen-address="]),
              ],
              env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
              ports: [
                { name: "metrics", containerPort: PORTS.alertmanager },
                { name: "cluster-tcp", containerPort: CLUSTER_PORT, protocol: "TCP" },
                { name: "cluster-udp", containerPort: CLUSTER_PORT, protocol: "UDP" },
              ],
              livenessProbe: httpProbe("/-/healthy", PORTS.alertmanager, { initialDelaySeconds: 15 }),
              readinessProbe: httpProbe("/-/ready", PORTS.alertmanager),
              resources: resourcesFor("alertmanager", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [config.mount, templates.mount, ...(secrets ? [secrets.mount] : []), { name: "data", mountPath: "/alertmanager" }, tmp.mount],
            },
          ],
          volumes: [config.volume, templates.volume, ...(secrets ? [secrets.volume] : []), tmp.volume],
        },
      },
      this,
    );
    this.url = pulumi.interpolate`http://alertmanager.${ns}.svc:${PORTS.alertmanager}`;
    this.registerOutputs({ url: this.url });
  }
}

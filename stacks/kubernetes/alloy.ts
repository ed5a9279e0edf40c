import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ALLOY_NODE_ENV } from "../../render/alloy";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, configHash, containerSecurity, daemonSet, filesConfigMap, httpProbe, metadata, NODE_AGENT_TOLERATIONS, podSecurity, resourcesFor, scratch, service, tcpProbe, type PulledKubernetesArgs } from "./workload";

/** Alloy's user in its image. */
const ALLOY_UID = 473;
/** Alloy's storage path inside the container: loki.source.kubernetes keeps positions.yml under it. */
const STORAGE_PATH = "/var/lib/alloy/data";

export interface AlloyArgs extends PulledKubernetesArgs {
  /** The rendered `alloy/` folder keyed by path inside it: config.alloy. */
  files: Record<string, string>;
  /** Namespaces whose pods' logs it reads (a Role in each). Defaults to [namespace]. */
  logNamespaces?: pulumi.Input<string>[];
  /**
   * Folder on each node that keeps Alloy's storage (its read positions) across restarts, rollouts
   * and drains. One per stack, so two stacks on a cluster never share positions.
   */
  hostStoragePath: string;
}

/**
 * Grafana Alloy as a DaemonSet shipping the stack's pod logs to Loki through the Kubernetes API
 * (pods/log). NODE_NAME lets the config keep only its node's pods. Its read positions live on a
 * hostPath: an emptyDir would be new after every rollout or drain, Alloy would read every pod's
 * log again from the start and Loki would refuse the old lines or store them twice. It tolerates
 * every taint, as node-exporter does, so the logs of tainted nodes are shipped too. A hostPath
 * needs the `privileged` Pod Security level: Alloy runs in the node agents' namespace.
 */
export class Alloy extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Alloy";
  readonly daemonSet: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Alloy.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Alloy.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.files(args.files, ["config.alloy"]);
    check.check(Object.keys(args.files).length === 1, "files", "may only hold config.alloy");
    check.check(typeof args.hostStoragePath === "string" && /^\/[A-Za-z0-9._/-]+$/.test(args.hostStoragePath) && !args.hostStoragePath.split("/").includes(".."), "hostStoragePath", `${JSON.stringify(args.hostStoragePath)} must be an absolute folder path`);

    const ns = args.namespace;
    const config = filesConfigMap(`${name}-config`, "alloy", "config", FOLDERS.alloyConfig, placeRenderedFiles(prefixed("alloy/", args.files)), ns, this);
    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: metadata("alloy", ns, "alloy") }, { parent: this });
    // discovery.kubernetes lists and watches pods; loki.source.kubernetes gets each pod and streams its log.
    (args.logNamespaces ?? [ns]).forEach((namespace, i) => {
      const suffix = i === 0 ? "" : `-${i}`;
      const role = new k8s.rbac.v1.Role(
        `${name}-logs${suffix}`,
        {
          metadata: metadata("alloy", namespace, "alloy-logs"),
          rules: [
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
          ],
        },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-logs${suffix}`,
        {
          metadata: metadata("alloy", namespace, "alloy-logs"),
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
        },
        { parent: this },
      );
    });
    service(`${name}-service`, "alloy", ns, [{ name: "metrics", port: PORTS.alloy, targetPort: PORTS.alloy }], this);
    const data = { volume: { name: "data", hostPath: { path: args.hostStoragePath, type: "DirectoryOrCreate" } }, mount: { name: "data", mountPath: STORAGE_PATH } };
    const tmp = scratch("tmp", "/tmp");
    this.daemonSet = daemonSet(
      name,
      "alloy",
      {
        namespace: ns,
        annotations: configHash(config.hash),
        pod: {
          serviceAccountName: account.metadata.name,
          automountServiceAccountToken: true,
          securityContext: podSecurity(ALLOY_UID),
          tolerations: NODE_AGENT_TOLERATIONS,
          // The kubelet creates the hostPath folder owned by root; this hands it to Alloy's user
          // (only CAP_CHOWN, nothing else), so Alloy itself runs unprivileged.
          initContainers: [
            {
              name: "own-storage",
              image: args.image,
              command: ["chown", `${ALLOY_UID}:${ALLOY_UID}`, STORAGE_PATH],
              resources: resourcesFor("alloy", args.resources),
              securityContext: { ...containerSecurity(), runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
              volumeMounts: [data.mount],
            },
          ],
          containers: [
            {
              name: "alloy",
              image: args.image,
              args: ["run", CONFIG_FILES.alloy, `--storage.path=${STORAGE_PATH}`, `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`, "--disable-reporting"],
              env: [{ name: ALLOY_NODE_ENV, valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
              ports: [{ name: "metrics", containerPort: PORTS.alloy }],
              livenessProbe: tcpProbe(PORTS.alloy),
              readinessProbe: httpProbe("/-/ready", PORTS.alloy),
              resources: resourcesFor("alloy", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [config.mount, data.mount, tmp.mount],
            },
          ],
          volumes: [config.volume, data.volume, tmp.volume],
        },
      },
      this,
    );
    this.registerOutputs({});
  }
}

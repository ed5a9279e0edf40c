import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ALLOY_NODE_ENV } from "../../render/alloy";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, configHash, containerSecurity, daemonSet, filesConfigMap, httpProbe, metadata, podSecurity, resourcesFor, scratch, service, tcpProbe, type PulledKubernetesArgs } from "./workload";

export interface AlloyArgs extends PulledKubernetesArgs {
  /** The rendered `alloy/` folder keyed by path inside it: config.alloy. */
  files: Record<string, string>;
}

/**
 * Grafana Alloy as a DaemonSet shipping the namespace's pod logs to Loki through the Kubernetes
 * API (pods/log), so it needs no host path. NODE_NAME lets the config keep only its node's pods.
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

    const ns = args.namespace;
    const config = filesConfigMap(`${name}-config`, "alloy", "config", FOLDERS.alloyConfig, placeRenderedFiles(prefixed("alloy/", args.files)), ns, this);
    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: metadata("alloy", ns, "alloy") }, { parent: this });
    const role = new k8s.rbac.v1.Role(
      `${name}-logs`,
      { metadata: metadata("alloy", ns, "alloy-logs"), rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }] },
      { parent: this },
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-logs`,
      {
        metadata: metadata("alloy", ns, "alloy-logs"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
      },
      { parent: this },
    );
    service(`${name}-service`, "alloy", ns, [{ name: "metrics", port: PORTS.alloy, targetPort: PORTS.alloy }], this);
    const data = scratch("data", "/var/lib/alloy/data", "256Mi");
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
          securityContext: podSecurity(473),
          containers: [
            {
              name: "alloy",
              image: args.image,
              args: ["run", CONFIG_FILES.alloy, "--storage.path=/var/lib/alloy/data", `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`, "--disable-reporting"],
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

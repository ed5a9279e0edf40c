import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GRAFANA_ADMIN_PASSWORD_FILE } from "../../config/secrets";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed, type FolderKey } from "../files";
import { checkCommon, checkStorage, claimTemplate, configHash, containerSecurity, filesConfigMap, filesSecret, httpProbe, podSecurity, resourcesFor, scratch, service, startupProbe, statefulSet, type PulledKubernetesArgs, type StorageArgs } from "./workload";

export interface GrafanaArgs extends PulledKubernetesArgs {
  /**
   * The rendered `grafana/` folder keyed by path inside it: grafana.ini,
   * provisioning/datasources/*.yaml, provisioning/dashboards/*.yaml and dashboards/*.json.
   */
  files: Record<string, string>;
  /** Admin password (a Pulumi secret), mounted as the file grafana.ini reads with $__file{}. */
  adminPassword: pulumi.Input<string>;
  /** PersistentVolumeClaim of /var/lib/grafana (users, sessions). */
  storage: StorageArgs;
}

/** Grafana as a one-replica StatefulSet; grafana.ini, datasources, dashboard providers and dashboards each from a ConfigMap. */
export class Grafana extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Grafana";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Grafana.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Grafana.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);
    check.files(args.files, ["grafana.ini"]);
    check.check(Object.keys(args.files).every((f) => f === "grafana.ini" || /^provisioning\/(datasources|dashboards)\/[^/]+\.yaml$/.test(f) || /^dashboards\/[^/]+\.json$/.test(f)), "files", "may only hold grafana.ini, provisioning/{datasources,dashboards}/<name>.yaml and dashboards/<uid>.json");
    check.required(args.adminPassword, "adminPassword");

    const ns = args.namespace;
    const placed = placeRenderedFiles(prefixed("grafana/", args.files));
    const folder = (key: FolderKey, volume: string) => filesConfigMap(`${name}-${volume}`, "grafana", volume, FOLDERS[key], placed.filter((f) => f.folder === key), ns, this);
    const maps = [folder("grafanaConfig", "config"), folder("grafanaDatasources", "datasources"), folder("grafanaDashboardProviders", "dashboard-providers"), folder("grafanaDashboards", "dashboards")];
    const secret = filesSecret(`${name}-secrets`, "grafana", "secrets", FOLDERS.grafanaSecrets, { [GRAFANA_ADMIN_PASSWORD_FILE]: args.adminPassword }, ns, this);
    const tmp = scratch("tmp", "/tmp");
    // Logs go to the console; the folder must still be writable on a read-only root filesystem.
    const logs = scratch("logs", "/var/log/grafana");

    const ports = [{ name: "metrics", port: PORTS.grafana, targetPort: PORTS.grafana }];
    service(`${name}-service`, "grafana", ns, ports, this);
    this.statefulSet = statefulSet(
      name,
      "grafana",
      {
        namespace: ns,
        replicas: 1,
        governing: { ports },
        annotations: configHash(...maps.map((m) => m.hash)),
        claims: [claimTemplate("grafana", "data", args.storage)],
        pod: {
          securityContext: podSecurity(472),
          containers: [
            {
              name: "grafana",
              image: args.image,
              env: [
                { name: "GF_PATHS_CONFIG", value: CONFIG_FILES.grafana },
                { name: "GF_PATHS_PROVISIONING", value: "/etc/grafana/provisioning" },
                { name: "GF_PATHS_DATA", value: "/var/lib/grafana" },
              ],
              ports: [{ name: "metrics", containerPort: PORTS.grafana }],
              // The first start migrates Grafana's database (minutes on a slow volume); the startupProbe waits up to 5 minutes.
              startupProbe: startupProbe(httpProbe("/api/health", PORTS.grafana), 300),
              livenessProbe: httpProbe("/api/health", PORTS.grafana, { initialDelaySeconds: 0 }),
              readinessProbe: httpProbe("/api/health", PORTS.grafana, { initialDelaySeconds: 0 }),
              resources: resourcesFor("grafana", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [...maps.map((m) => m.mount), secret.mount, { name: "data", mountPath: "/var/lib/grafana" }, tmp.mount, logs.mount],
            },
          ],
          volumes: [...maps.map((m) => m.volume), secret.volume, tmp.volume, logs.volume],
        },
      },
      this,
    );
    this.url = pulumi.interpolate`http://grafana.${ns}.svc:${PORTS.grafana}`;
    this.registerOutputs({ url: this.url });
  }
}

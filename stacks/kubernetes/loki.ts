import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PATHS, PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, checkStorage, claimTemplate, configHash, containerSecurity, filesConfigMap, httpProbe, podSecurity, resourcesFor, scratch, service, statefulSet, tcpProbe, type PulledKubernetesArgs, type StorageArgs } from "./workload";

export interface LokiArgs extends PulledKubernetesArgs {
  /** The rendered `loki/` folder keyed by path inside it: loki.yaml. */
  files: Record<string, string>;
  /** PersistentVolumeClaim of chunks, index and WAL. */
  storage: StorageArgs;
}

/** Loki as a one-replica StatefulSet (single binary, filesystem storage on a PVC). */
export class Loki extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:Loki";
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Loki.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Loki.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    checkStorage(check, args.storage);
    check.files(args.files, ["loki.yaml"]);
    check.check(Object.keys(args.files).length === 1, "files", "may only hold loki.yaml");

    const ns = args.namespace;
    const config = filesConfigMap(`${name}-config`, "loki", "config", FOLDERS.lokiConfig, placeRenderedFiles(prefixed("loki/", args.files)), ns, this);
    const tmp = scratch("tmp", "/tmp");
    const ports = [{ name: "metrics", port: PORTS.loki, targetPort: PORTS.loki }];
    service(`${name}-service`, "loki", ns, ports, this);
    this.statefulSet = statefulSet(
      name,
      "loki",
      {
        namespace: ns,
        replicas: 1,
        governing: { ports },
        annotations: configHash(config.hash),
        claims: [claimTemplate("loki", "data", args.storage)],
        pod: {
          securityContext: podSecurity(10001),
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "loki",
              image: args.image,
              args: [`-config.file=${CONFIG_FILES.loki}`],
              ports: [{ name: "metrics", containerPort: PORTS.loki }],
              // /ready answers 503 until the ingester joined its ring: fine for readiness, too strict for liveness.
              livenessProbe: tcpProbe(PORTS.loki, { initialDelaySeconds: 30 }),
              readinessProbe: httpProbe("/ready", PORTS.loki, { initialDelaySeconds: 15 }),
              resources: resourcesFor("loki", args.resources),
              securityContext: containerSecurity(),
              volumeMounts: [config.mount, { name: "data", mountPath: CONTAINER_PATHS.lokiData }, tmp.mount],
            },
          ],
          volumes: [config.volume, tmp.volume],
        },
      },
      this,
    );
    this.url = pulumi.interpolate`http://loki.${ns}.svc:${PORTS.loki}`;
    this.registerOutputs({ url: this.url });
  }
}

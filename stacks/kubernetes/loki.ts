import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PATHS, PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, checkStorage, claimTemplate, configHash, containerSecurity, filesConfigMap, httpProbe, metadata, podSecurity, resourcesFor, scratch, service, statefulSet, tcpProbe, type PulledKubernetesArgs, type StorageArgs } from "./workload";

export interface LokiArgs extends PulledKubernetesArgs {
  /** The rendered `loki/` folder keyed by path inside it: loki.yaml. */
  files: Record<string, string>;
  /** PersistentVolumeClaim of chunks, index and WAL (and, with an S3 bucket, the index cache and the compactor's markers). */
  storage: StorageArgs;
  /** More flags, e.g. lokiFlags(config) (render/loki.ts). Defaults to none. */
  flags?: string[];
  /**
   * Secrets Loki reads from its environment (the S3 credentials that loki.yaml names as `${VAR}`):
   * one Secret, each variable set with `secretKeyRef` to its `key`. Defaults to none.
   */
  secretEnv?: ReadonlyArray<{ name: string; key: string; value: pulumi.Input<string> }>;
}

/** Loki as a one-replica StatefulSet (single binary, chunks and index on a PVC or in an S3 bucket). */
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
    (args.secretEnv ?? []).forEach((variable, i) => {
      check.check(/^[A-Z_][A-Z0-9_]*$/.test(variable.name), `secretEnv[${i}].name`, `${JSON.stringify(variable.name)} is not an environment variable name (upper-case letters, digits and underscores)`);
      check.secretFileName(variable.key, `secretEnv[${i}].key`);
    });

    const ns = args.namespace;
    const config = filesConfigMap(`${name}-config`, "loki", "config", FOLDERS.lokiConfig, placeRenderedFiles(prefixed("loki/", args.files)), ns, this);
    const secretEnv = args.secretEnv ?? [];
    // Auto-named and immutable: a changed key replaces the Secret under a new name (whatever the provider's enableSecretMutable says),
    // so the pod template names the new one and Loki restarts with it (a variable is read only at start).
    const envSecret =
      secretEnv.length > 0
        ? new k8s.core.v1.Secret(`${name}-env`, { metadata: metadata("loki", ns), type: "Opaque", immutable: true, stringData: Object.fromEntries(secretEnv.map((v) => [v.key, pulumi.secret(v.value)])) }, { parent: this })
        : undefined;
    const env = envSecret ? secretEnv.map((v) => ({ name: v.name, valueFrom: { secretKeyRef: { name: envSecret.metadata.name, key: v.key } } })) : undefined;
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
              args: [`-config.file=${CONFIG_FILES.loki}`, ...(args.flags ?? [])],
              ...(env ? { env } : {}),
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

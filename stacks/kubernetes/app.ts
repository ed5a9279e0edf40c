import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICES, type AppService } from "../../config/components";
import { PORTS } from "../../render/topology/types";
import { ArgChecker, type Resources } from "../common";
import { FOLDERS } from "../files";
import type { SecretKeyRef } from "./datastores";
import { containerSecurity, deployment, disruptionBudget, httpProbe, podSecurity, resourcesFor, scratch, service, type Container } from "./workload";

export interface AppArgs {
  /** Namespace to create everything in. */
  namespace: pulumi.Input<string>;
  /** The Secret key holding the Postgres password (worker and result mount it as POSTGRES_PASSWORD_FILE). */
  postgresPassword: SecretKeyRef;
  /**
   * Images of vote, worker and result, built from services/<service>/Dockerfile and pushed
   * where the cluster pulls from. Defaults to "voteobs/<service>:dev" (a local cluster such as
   * kind or minikube after `kind load docker-image`).
   */
  images?: Partial<Record<AppService, string>>;
  /** Pod copies per service. Defaults to vote 2, worker 1, result 1. */
  replicas?: Partial<Record<AppService, number>>;
  /** Limits per service. Defaults to the defaults in config/schema.ts. */
  resources?: Partial<Record<AppService, Resources>>;
  /** Defaults to Cats and Dogs. */
  options?: { a: string; b: string };
  /** Defaults to 100. */
  workerBatchSize?: number;
  /** Demo only. Defaults to off. */
  faultInjection?: { enabled: boolean; errorRatio: number };
  /** Defaults to "postgres". */
  database?: string;
  /** Defaults to "info". */
  logLevel?: "error" | "warn" | "info" | "debug";
}

/**
 * vote, worker and result as Deployments: probes on /healthz (liveness) and /readyz (readiness),
 * limits, a PodDisruptionBudget each, non-root with a read-only root filesystem and seccomp
 * RuntimeDefault. vote and result get a Service with an `http` port (80) for an Ingress; every
 * service has the `metrics` port Prometheus discovers.
 */
export class App extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:kubernetes:App";
  readonly deployments: Record<AppService, k8s.apps.v1.Deployment>;
  readonly voteUrl: pulumi.Output<string>;
  readonly resultUrl: pulumi.Output<string>;

  constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(App.TYPE, name, {}, opts);
    const check = new ArgChecker(this, App.TYPE, name);
    check.required(args.namespace, "namespace");
    check.required(args.postgresPassword?.name, "postgresPassword.name");
    check.required(args.postgresPassword?.key, "postgresPassword.key");
    for (const service of APP_SERVICES) {
      if (args.images?.[service] !== undefined) check.image(args.images[service], `images.${service}`);
      const replicas = args.replicas?.[service];
      if (replicas !== undefined) check.check(Number.isInteger(replicas) && replicas >= 1 && replicas <= 20, `replicas.${service}`, `${replicas} must be a whole number from 1 to 20`);
      check.resources(args.resources?.[service], `resources.${service}`);
    }
    if (args.workerBatchSize !== undefined) check.check(Number.isInteger(args.workerBatchSize) && args.workerBatchSize >= 1 && args.workerBatchSize <= 5000, "workerBatchSize", `${args.workerBatchSize} must be a whole number from 1 to 5000 (the worker's limit)`);
    if (args.faultInjection !== undefined) check.check(args.faultInjection.errorRatio >= 0 && args.faultInjection.errorRatio < 1, "faultInjection.errorRatio", `${args.faultInjection.errorRatio} must be from 0 to 1`);

    const ns = args.namespace;
    const database = args.database ?? "postgres";
    const options = args.options ?? { a: "Cats", b: "Dogs" };
    const fault = args.faultInjection ?? { enabled: false, errorRatio: 0 };
    const replicas: Record<AppService, number> = { vote: 2, worker: 1, result: 1, ...args.replicas };
    const passwordFile = `${FOLDERS.postgresSecrets}/${args.postgresPassword.key}`;
    const env = (pairs: Record<string, pulumi.Input<string>>) => Object.entries(pairs).map(([name, value]) => ({ name, value }));
    const base = { PORT: String(PORTS.vote), HOST: "0.0.0.0", LOG_LEVEL: args.logLevel ?? "info" };
    const redis = { REDIS_URL: pulumi.interpolate`redis://redis.${ns}.svc:${PORTS.redis}` };
    const postgres = { PGHOST: pulumi.interpolate`postgres.${ns}.svc`, PGPORT: String(PORTS.postgres), PGUSER: "postgres", PGDATABASE: database, POSTGRES_PASSWORD_FILE: passwordFile };
    const optionEnv = { OPTION_A: options.a, OPTION_B: options.b };
    const envs: Record<AppService, Record<string, pulumi.Input<string>>> = {
      vote: { ...base, ...redis, ...optionEnv, FAULT_INJECTION: fault.enabled ? "enabled" : "disabled", FAULT_ERROR_RATIO: String(fault.errorRatio) },
      worker: { ...base, ...redis, ...postgres, WORKER_BATCH_SIZE: String(args.workerBatchSize ?? 100) },
      result: { ...base, ...postgres, ...optionEnv },
    };
    const needsPassword: Record<AppService, boolean> = { vote: false, worker: true, result: true };

    const deployments = {} as Record<AppService, k8s.apps.v1.Deployment>;
    for (const svc of APP_SERVICES) {
      const tmp = scratch("tmp", "/tmp");
      const container: Container = {
        name: svc,
        image: args.images?.[svc] ?? `voteobs/${svc}:dev`,
        imagePullPolicy: "IfNotPresent",
        env: env(envs[svc]),
        ports: [{ name: "metrics", containerPort: PORTS[svc] }],
        startupProbe: httpProbe("/healthz", PORTS[svc], { initialDelaySeconds: 2, periodSeconds: 2, failureThreshold: 30 }),
        livenessProbe: httpProbe("/healthz", PORTS[svc], { initialDelaySeconds: 0 }),
        readinessProbe: httpProbe("/readyz", PORTS[svc], { initialDelaySeconds: 0, periodSeconds: 5 }),
        resources: resourcesFor(svc, args.resources?.[svc]),
        securityContext: containerSecurity(),
        volumeMounts: [tmp.mount, ...(needsPassword[svc] ? [{ name: "postgres-password", mountPath: FOLDERS.postgresSecrets, readOnly: true }] : [])],
      };
      deployments[svc] = deployment(
        `${name}-${svc}`,
        svc,
        {
          namespace: ns,
          replicas: replicas[svc],
          pod: {
            // The node user of the node base image.
            securityContext: podSecurity(1000),
            terminationGracePeriodSeconds: 30,
            containers: [container],
            volumes: [tmp.volume, ...(needsPassword[svc] ? [{ name: "postgres-password", secret: { secretName: args.postgresPassword.name, defaultMode: 0o440 } }] : [])],
          },
        },
        this,
      );
      const ports = [{ name: "metrics", port: PORTS[svc], targetPort: PORTS[svc] }];
      service(`${name}-${svc}-service`, svc, ns, svc === "worker" ? ports : [{ name: "http", port: 80, targetPort: PORTS[svc] }, ...ports], this);
      disruptionBudget(`${name}-${svc}-pdb`, svc, ns, this);
    }
    this.deployments = deployments;
    this.voteUrl = pulumi.interpolate`http://vote.${ns}.svc`;
    this.resultUrl = pulumi.interpolate`http://result.${ns}.svc`;
    this.registerOutputs({ voteUrl: this.voteUrl, resultUrl: this.resultUrl });
  }
}

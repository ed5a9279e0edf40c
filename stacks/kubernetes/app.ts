import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { posix } from "node:path";
import { APP_SERVICES, type AppService } from "../../config/components";
import { stackSchema, type StackConfig } from "../../config/schema";
import type { AppEnvironment } from "../../render/app-environment";
import { APP_SECRET_FILES, PORTS } from "../../render/topology/types";
import { ArgChecker, DEFAULTS } from "../common";
import type { SecretKeyRef } from "./datastores";
import { containerSecurity, deployment, disruptionBudget, httpProbe, podSecurity, resourcesFor, scratch, service, spreadOverNodes, startupProbe, type Container, type Volume, type VolumeMount } from "./workload";

/**
 * How vote and result leave a Service without dropping a request. On deletion the pod's endpoint
 * is removed at once, but kube-proxy, Ingress controllers and cloud load balancers learn it a few
 * seconds later; meanwhile they still send requests. So the kubelet first waits `preStopSeconds`
 * (a `sleep` preStop hook: the kubelet's own timer, GA since Kubernetes 1.34, beta and on since
 * 1.30, no `sleep` binary needed in the image), then sends SIGTERM; the service then keeps serving
 * for SHUTDOWN_DRAIN_MS with /readyz answering 503 (for load balancers that probe it directly),
 * and finally closes within SHUTDOWN_TIMEOUT_MS. terminationGracePeriodSeconds covers all three
 * plus a margin, so the kubelet never kills a pod that is still draining.
 */
const SERVING_SHUTDOWN = {
  preStopSeconds: 5,
  drainMs: 5_000,
  shutdownTimeoutMs: 10_000,
  /** Longer than the 60 s idle timeout of common proxies (AWS ALB, ingress-nginx upstream keep-alive), so the proxy, never the service, closes an idle connection: no request is sent on a socket the service is closing. */
  keepAliveTimeoutMs: 65_000,
  marginSeconds: 10,
} as const;

/** The services behind a user-facing Service: they get the drain sequence and the keep-alive timeout above. */
const SERVING: readonly AppService[] = ["vote", "result"];

/** The environment that carries SERVING_SHUTDOWN to the services (names as services/shared/src/common-config.ts reads them). */
function servingEnvironment(): AppEnvironment {
  return {
    HTTP_KEEP_ALIVE_TIMEOUT_MS: String(SERVING_SHUTDOWN.keepAliveTimeoutMs),
    SHUTDOWN_DRAIN_MS: String(SERVING_SHUTDOWN.drainMs),
    SHUTDOWN_TIMEOUT_MS: String(SERVING_SHUTDOWN.shutdownTimeoutMs),
  };
}

export function terminationGracePeriodSeconds(): number {
  const s = SERVING_SHUTDOWN;
  return s.preStopSeconds + Math.ceil((s.drainMs + s.shutdownTimeoutMs) / 1000) + s.marginSeconds;
}

export interface AppArgs {
  /** Namespace to create everything in. */
  namespace: pulumi.Input<string>;
  /** `appEnvironment(config, topology.app)` (render/app-environment.ts): each service's environment, placed as is. */
  environment: Record<AppService, AppEnvironment>;
  /**
   * The image of each service: a digest (`repo@sha256:...`) or a tag unique to its build, so a
   * rebuild changes the pod template and rolls out (KubernetesStack resolves them, see images.ts).
   */
  images: Record<AppService, pulumi.Input<string>>;
  /** The Secrets the services' *_FILE variables point into: each is mounted where APP_SECRET_FILES says. */
  secrets: { postgresPassword: SecretKeyRef; redisPassword: SecretKeyRef };
  /** Replicas and limits per service (config.services). Defaults to config/schema.ts's defaults. */
  services?: Partial<Pick<StackConfig["services"], AppService>>;
}

/**
 * vote, worker and result as Deployments: a startupProbe and liveness on /healthz, readiness on
 * /readyz (which vote and result answer 200 whatever Redis and Postgres do, so an outage reaches
 * users as 5xx vote counts, not as an empty Service), limits, a PodDisruptionBudget each, non-root
 * with a read-only root filesystem and seccomp RuntimeDefault. vote and result spread over the
 * nodes and drain before they stop; they get a Service with an `http` port (80) for an Ingress;
 * every service has the `metrics` port Prometheus discovers.
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
    for (const secret of ["postgresPassword", "redisPassword"] as const) {
      check.required(args.secrets?.[secret]?.name, `secrets.${secret}.name`);
      check.check(args.secrets?.[secret]?.key === posix.basename(APP_SECRET_FILES[secret]), `secrets.${secret}.key`, `must be "${posix.basename(APP_SECRET_FILES[secret])}", the file name the services read (${APP_SECRET_FILES[secret]})`);
    }
    for (const svc of APP_SERVICES) {
      check.check(typeof args.environment?.[svc] === "object", `environment.${svc}`, "is required: appEnvironment(config, topology.app)");
      check.required(args.images?.[svc], `images.${svc}`);
      if (typeof args.images[svc] === "string") check.image(args.images[svc], `images.${svc}`);
      const given = args.services?.[svc];
      if (given !== undefined) check.schema(stackSchema.shape.services.unwrap().shape[svc], given, `services.${svc}`);
    }

    const ns = args.namespace;
    // Each *_FILE variable points into one Secret volume, mounted read-only at that file's folder.
    const secretVolumes: Record<string, { volume: Volume; mount: VolumeMount }> = {};
    for (const secret of ["postgresPassword", "redisPassword"] as const) {
      const file = APP_SECRET_FILES[secret];
      const volume = secret === "postgresPassword" ? "postgres-password" : "redis-password";
      secretVolumes[file] = {
        volume: { name: volume, secret: { secretName: args.secrets[secret].name, defaultMode: 0o440, items: [{ key: args.secrets[secret].key, path: posix.basename(file) }] } },
        mount: { name: volume, mountPath: posix.dirname(file), readOnly: true },
      };
    }

    const deployments = {} as Record<AppService, k8s.apps.v1.Deployment>;
    for (const svc of APP_SERVICES) {
      const settings = { ...DEFAULTS.services[svc], ...args.services?.[svc] };
      const serving = SERVING.includes(svc);
      const environment = { ...args.environment[svc], ...(serving ? servingEnvironment() : {}) };
      const secrets = Object.values(environment).flatMap((value) => (secretVolumes[value] ? [secretVolumes[value]] : []));
      const port = Number(environment.PORT ?? PORTS[svc]);
      const tmp = scratch("tmp", "/tmp");
      const container: Container = {
        name: svc,
        image: args.images[svc],
        imagePullPolicy: "IfNotPresent",
        env: Object.entries(environment).map(([envName, value]) => ({ name: envName, value })),
        ports: [{ name: "metrics", containerPort: port }],
        startupProbe: startupProbe(httpProbe("/healthz", port), 60, 2),
        livenessProbe: httpProbe("/healthz", port, { initialDelaySeconds: 0 }),
        readinessProbe: httpProbe("/readyz", port, { initialDelaySeconds: 0, periodSeconds: 5 }),
        ...(serving ? { lifecycle: { preStop: { sleep: { seconds: SERVING_SHUTDOWN.preStopSeconds } } } } : {}),
        resources: resourcesFor(svc, settings),
        securityContext: containerSecurity(),
        volumeMounts: [tmp.mount, ...secrets.map((s) => s.mount)],
      };
      deployments[svc] = deployment(
        `${name}-${svc}`,
        svc,
        {
          namespace: ns,
          replicas: settings.replicas,
          pod: {
            // The node user of the node base image.
            securityContext: podSecurity(1000),
            terminationGracePeriodSeconds: serving ? terminationGracePeriodSeconds() : 30,
            ...(serving ? { topologySpreadConstraints: spreadOverNodes(svc, "Deployment") } : {}),
            containers: [container],
            volumes: [tmp.volume, ...secrets.map((s) => s.volume)],
          },
        },
        this,
      );
      const ports = [{ name: "metrics", port, targetPort: port }];
      service(`${name}-${svc}-service`, svc, ns, serving ? [{ name: "http", port: 80, targetPort: port }, ...ports] : ports, this);
      disruptionBudget(`${name}-${svc}-pdb`, svc, ns, this);
    }
    this.deployments = deployments;
    this.voteUrl = pulumi.interpolate`http://vote.${ns}.svc`;
    this.resultUrl = pulumi.interpolate`http://result.${ns}.svc`;
    this.registerOutputs({ voteUrl: this.voteUrl, resultUrl: this.resultUrl });
  }
}

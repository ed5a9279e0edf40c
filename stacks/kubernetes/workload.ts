import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Component } from "../../config/components";
import { cpuCores, memory } from "../../config/quantities";
import { K8S_NAME_LABEL } from "../../render/topology/types";
import { ArgChecker, defaultResources, PART_OF, type Resources } from "../common";
import { contentHash, type PlacedFile } from "../files";

type Input<T> = pulumi.Input<T>;
export type PodSpec = k8s.types.input.core.v1.PodSpec;
export type Container = k8s.types.input.core.v1.Container;
export type Volume = k8s.types.input.core.v1.Volume;
export type VolumeMount = k8s.types.input.core.v1.VolumeMount;
export type Probe = k8s.types.input.core.v1.Probe;

/** Arguments every Kubernetes component shares. */
export interface KubernetesComponentArgs {
  /** Namespace to create everything in (it must exist; KubernetesStack creates it). */
  namespace: Input<string>;
  /** CPU and memory limits (requests: half the CPU, all the memory). Defaults to the component's defaults in config/schema.ts. */
  resources?: Resources;
}

/** Arguments of a component that runs one third-party image. */
export interface PulledKubernetesArgs extends KubernetesComponentArgs {
  /** Image reference pinned by version tag or digest. */
  image: string;
}

/** Size and class of a PersistentVolumeClaim. */
export interface StorageArgs {
  /** Size, e.g. "20Gi". */
  size: string;
  /** StorageClass. Defaults to the cluster's default class. */
  storageClass?: string;
}

/** The limits of one component, checked with the fragments config/schema.ts checks `services.<component>` with. */
export const RESOURCES = z.strictObject({ cpu: cpuCores, memory });

export function checkCommon(check: ArgChecker, args: KubernetesComponentArgs): void {
  check.required(args.namespace, "namespace");
  if (args.resources !== undefined) check.schema(RESOURCES, args.resources, "resources");
}

export function checkStorage(check: ArgChecker, storage: StorageArgs | undefined, arg = "storage"): void {
  check.schema(memory, storage?.size, `${arg}.size`);
}

/** Labels of every object of a component; the name label is what Alloy and the relabelling read. */
export function labelsFor(component: Component): Record<string, string> {
  return { [K8S_NAME_LABEL]: component, "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" };
}

export function selectorFor(component: Component): Record<string, string> {
  return { [K8S_NAME_LABEL]: component };
}

/** Non-root, RuntimeDefault seccomp; volumes owned by the group so the uid can write them. */
export function podSecurity(uid: number, gid = uid): k8s.types.input.core.v1.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } };
}

/** No privilege escalation, read-only root filesystem, every capability dropped. */
export function containerSecurity(): k8s.types.input.core.v1.SecurityContext {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } };
}

/** Limits as configured; requests: all the memory (no overcommit surprises), half the CPU. */
export function resourcesFor(component: Component, resources: Resources | undefined): k8s.types.input.core.v1.ResourceRequirements {
  const r = resources ?? defaultResources(component);
  const millicores = Math.max(1, Math.round(r.cpu * 1000));
  return { limits: { cpu: `${millicores}m`, memory: r.memory }, requests: { cpu: `${Math.max(1, Math.round(millicores / 2))}m`, memory: r.memory } };
}

export function httpProbe(path: string, port: number | string, options: { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number } = {}): Probe {
  return { httpGet: { path, port }, initialDelaySeconds: options.initialDelaySeconds ?? 5, periodSeconds: options.periodSeconds ?? 10, timeoutSeconds: 5, failureThreshold: options.failureThreshold ?? 3 };
}

export function execProbe(command: string[], options: { initialDelaySeconds?: number; periodSeconds?: number } = {}): Probe {
  return { exec: { command }, initialDelaySeconds: options.initialDelaySeconds ?? 5, periodSeconds: options.periodSeconds ?? 10, timeoutSeconds: 5, failureThreshold: 3 };
}

/**
 * A startupProbe: liveness and readiness wait until it succeeds once, so a slow first start
 * (Postgres' initdb, Grafana's database migrations) gets up to `seconds` instead of being killed
 * by a liveness probe tuned for a running server.
 */
export function startupProbe(probe: Probe, seconds: number, periodSeconds = 5): Probe {
  return { ...probe, initialDelaySeconds: 0, periodSeconds, timeoutSeconds: 5, failureThreshold: Math.ceil(seconds / periodSeconds) };
}

export function tcpProbe(port: number | string, options: { initialDelaySeconds?: number } = {}): Probe {
  return { tcpSocket: { port }, initialDelaySeconds: options.initialDelaySeconds ?? 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
}

export function metadata(component: Component, namespace: Input<string>, name?: string): k8s.types.input.meta.v1.ObjectMeta {
  return { ...(name ? { name } : {}), namespace, labels: labelsFor(component) };
}

/** A ConfigMap of rendered files (auto-named: a content change creates a new one and rolls the pods). */
export interface FilesConfigMap {
  configMap: k8s.core.v1.ConfigMap;
  volume: Volume;
  mount: VolumeMount;
  /** Content hash of the files, put on the pod template so a change rolls the pods. */
  hash: string;
}

export function filesConfigMap(name: string, component: Component, volumeName: string, folder: string, files: readonly PlacedFile[], namespace: Input<string>, parent: pulumi.Resource): FilesConfigMap {
  const data = Object.fromEntries(files.map((f) => [f.name, f.content]));
  const configMap = new k8s.core.v1.ConfigMap(name, { metadata: metadata(component, namespace), data }, { parent });
  return {
    configMap,
    volume: { name: volumeName, configMap: { name: configMap.metadata.name, defaultMode: 0o444 } },
    mount: { name: volumeName, mountPath: folder, readOnly: true },
    hash: contentHash(data),
  };
}

/** A Secret of secret files (every value a Pulumi secret), mounted read-only for the pod's user. */
export interface FilesSecret {
  secret: k8s.core.v1.Secret;
  volume: Volume;
  mount: VolumeMount;
}

export function filesSecret(name: string, component: Component, volumeName: string, folder: string, files: Record<string, Input<string>>, namespace: Input<string>, parent: pulumi.Resource): FilesSecret {
  const stringData = Object.fromEntries(Object.entries(files).map(([file, value]) => [file, pulumi.secret(value)]));
  const secret = new k8s.core.v1.Secret(name, { metadata: metadata(component, namespace), type: "Opaque", stringData }, { parent });
  return {
    secret,
    volume: { name: volumeName, secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
    mount: { name: volumeName, mountPath: folder, readOnly: true },
  };
}

/** The pod template annotation that rolls the pods when their configuration changes. */
const CONFIG_HASH_ANNOTATION = "voteobs.io/config-hash";

export function configHash(...hashes: string[]): Record<string, string> {
  return { [CONFIG_HASH_ANNOTATION]: contentHash(Object.fromEntries(hashes.map((h, i) => [String(i), h]))) };
}

/** A ClusterIP Service selecting the component's pods; the port named `metrics` is what Prometheus discovers. */
export function service(
  name: string,
  component: Component,
  namespace: Input<string>,
  ports: k8s.types.input.core.v1.ServicePort[],
  parent: pulumi.Resource,
  extra: { headless?: boolean; serviceName?: string; publishNotReadyAddresses?: boolean } = {},
): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    name,
    {
      metadata: metadata(component, namespace, extra.serviceName ?? component),
      spec: {
        type: "ClusterIP",
        ...(extra.headless ? { clusterIP: "None" } : {}),
        ...(extra.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
        selector: selectorFor(component),
        ports,
      },
    },
    { parent },
  );
}

/**
 * Replicas of a component on as many nodes as there are, as a preference: on a one-node cluster
 * (kind, minikube) every replica still schedules. A Deployment counts only the pods of its current
 * revision (pod-template-hash), so a rolling update does not skew the spread.
 */
export function spreadOverNodes(component: Component, kind: "Deployment" | "StatefulSet"): k8s.types.input.core.v1.TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: selectorFor(component) },
      ...(kind === "Deployment" ? { matchLabelKeys: ["pod-template-hash"] } : {}),
    },
  ];
}

/**
 * Node agents (node-exporter, Alloy) run on every node, tainted ones included (control plane,
 * dedicated pools), so every node's metrics and logs arrive.
 */
export const NODE_AGENT_TOLERATIONS: k8s.types.input.core.v1.Toleration[] = [{ operator: "Exists" }];

/** Allows at most one pod of the component to be evicted at a time. */
export function disruptionBudget(name: string, component: Component, namespace: Input<string>, parent: pulumi.Resource): k8s.policy.v1.PodDisruptionBudget {
  return new k8s.policy.v1.PodDisruptionBudget(name, { metadata: metadata(component, namespace, component), spec: { maxUnavailable: 1, selector: { matchLabels: selectorFor(component) } } }, { parent });
}

/** An emptyDir for the paths a read-only root filesystem still needs to write (/tmp). */
export function scratch(name: string, mountPath: string, sizeLimit = "64Mi"): { volume: Volume; mount: VolumeMount } {
  return { volume: { name, emptyDir: { sizeLimit } }, mount: { name, mountPath } };
}

/** volumeClaimTemplates entry of a StatefulSet. */
export function claimTemplate(component: Component, name: string, storage: StorageArgs): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    metadata: { name, labels: labelsFor(component) },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: storage.size } }, ...(storage.storageClass ? { storageClassName: storage.storageClass } : {}) },
  };
}

/** The pod template every workload kind shares: our labels, restarts always, no API token unless the pod asks. */
function podTemplate(component: Component, pod: PodSpec, annotations: Record<string, string> = {}): k8s.types.input.core.v1.PodTemplateSpec {
  return { metadata: { labels: labelsFor(component), annotations }, spec: { restartPolicy: "Always", automountServiceAccountToken: false, ...pod } };
}

/** The headless Service that governs a StatefulSet: `<component>-headless` unless it is named otherwise (Alertmanager's peers). */
export interface GoverningService {
  /** Defaults to "<component>-headless". */
  name?: string;
  ports: k8s.types.input.core.v1.ServicePort[];
}

/**
 * A StatefulSet of one component: pods named `<component>-<n>`, a PVC per pod, and its governing
 * headless Service, which gives each pod the DNS name `<component>-<n>.<service>.<ns>.svc`
 * (ready or not, so peers find each other while starting). Clients use the component's ClusterIP
 * Service instead.
 */
export function statefulSet(
  name: string,
  component: Component,
  args: { namespace: Input<string>; replicas: number; governing: GoverningService; pod: PodSpec; annotations?: Record<string, string>; claims: k8s.types.input.core.v1.PersistentVolumeClaim[]; parallel?: boolean },
  parent: pulumi.Resource,
  dependsOn: pulumi.Resource[] = [],
): k8s.apps.v1.StatefulSet {
  const serviceName = args.governing.name ?? `${component}-headless`;
  // Resource name `<name><what the Service name adds>`, e.g. voteobs-alertmanager-peers, voteobs-redis-headless.
  const governing = service(`${name}${serviceName.startsWith(component) ? serviceName.slice(component.length) : `-${serviceName}`}`, component, args.namespace, args.governing.ports, parent, { headless: true, serviceName, publishNotReadyAddresses: true });
  return new k8s.apps.v1.StatefulSet(
    name,
    {
      metadata: metadata(component, args.namespace, component),
      spec: {
        replicas: args.replicas,
        serviceName,
        podManagementPolicy: args.parallel ? "Parallel" : "OrderedReady",
        selector: { matchLabels: selectorFor(component) },
        template: podTemplate(component, args.pod, args.annotations),
        volumeClaimTemplates: args.claims,
      },
    },
    { parent, dependsOn: [governing, ...dependsOn] },
  );
}

export function deployment(
  name: string,
  component: Component,
  args: { namespace: Input<string>; replicas: number; pod: PodSpec; annotations?: Record<string, string> },
  parent: pulumi.Resource,
  dependsOn: pulumi.Resource[] = [],
): k8s.apps.v1.Deployment {
  return new k8s.apps.v1.Deployment(
    name,
    {
      metadata: metadata(component, args.namespace, component),
      spec: {
        replicas: args.replicas,
        selector: { matchLabels: selectorFor(component) },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: podTemplate(component, args.pod, args.annotations),
      },
    },
    { parent, dependsOn },
  );
}

export function daemonSet(name: string, component: Component, args: { namespace: Input<string>; pod: PodSpec; annotations?: Record<string, string> }, parent: pulumi.Resource): k8s.apps.v1.DaemonSet {
  return new k8s.apps.v1.DaemonSet(
    name,
    {
      metadata: metadata(component, args.namespace, component),
      spec: {
        selector: { matchLabels: selectorFor(component) },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: podTemplate(component, args.pod, args.annotations),
      },
    },
    { parent },
  );
}

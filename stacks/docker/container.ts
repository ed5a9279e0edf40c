import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { posix } from "node:path";
import type { Component } from "../../config/components";
import { SERVICE_LABEL, STACK_LABEL } from "../../render/topology/types";
import { ArgChecker, defaultResources, isDnsLabel, isIpv4, isPort, memoryMb, PART_OF, type Resources } from "../common";
import type { PlacedFile } from "../files";

/** Restart policies that bring a container back after a crash or a reboot of the engine. */
const RESTART_POLICIES = ["always", "unless-stopped", "on-failure"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** Arguments every Docker component shares. */
export interface DockerComponentArgs {
  /**
   * The stack the containers belong to, as dockerStackLabel (render/topology/docker.ts) spells it.
   * Every container, network and volume is labelled `voteobs.stack=<stack>`, and this stack's
   * Alloy and cAdvisor relabelling keep only those: several stacks may share one engine.
   */
  stack: string;
  /**
   * Names of the Docker networks to join; the container is reachable on each of them by its
   * component name (the network alias the rendered configs use).
   */
  networks: pulumi.Input<string>[];
  /** CPU and memory limits. Defaults to the component's defaults in config/schema.ts. */
  resources?: Resources;
  /** Prefix of container and volume names (`<prefix>-prometheus`). Defaults to "voteobs". */
  namePrefix?: string;
  /** Docker restart policy. Defaults to "unless-stopped". */
  restart?: RestartPolicy;
  /** Make `pulumi up` wait until the container's healthcheck passes. Defaults to true. */
  waitForHealthy?: boolean;
}

/** Arguments of a component that runs one third-party image. */
export interface PulledComponentArgs extends DockerComponentArgs {
  /** Image reference pinned by version tag or digest, pulled as a `docker.RemoteImage`. */
  image: string;
}

/** A port published on the host. */
export interface PublishArgs {
  /** Host address the port binds to. Defaults to 127.0.0.1 (this host only). */
  address?: string;
  /** Host port. */
  port: number;
}

export function checkCommon(check: ArgChecker, args: DockerComponentArgs): void {
  check.check(isDnsLabel(args.stack, 32), "stack", `${JSON.stringify(args.stack)} must be a stack label: lower-case letters, digits and dashes, at most 32 (dockerStackLabel)`);
  check.nonEmpty(args.networks, "networks", "network name");
  check.resources(args.resources);
  if (args.namePrefix !== undefined) check.check(isDnsLabel(args.namePrefix, 40), "namePrefix", `${JSON.stringify(args.namePrefix)} must be lower-case letters, digits and dashes (at most 40)`);
  if (args.restart !== undefined) check.check((RESTART_POLICIES as readonly string[]).includes(args.restart), "restart", `${JSON.stringify(args.restart)} must be one of ${RESTART_POLICIES.join(", ")}`);
}

export function checkPublish(check: ArgChecker, publish: PublishArgs | undefined, arg: string): void {
  if (publish === undefined) return;
  if (publish.address !== undefined) check.check(isIpv4(publish.address), `${arg}.address`, `${JSON.stringify(publish.address)} must be an IPv4 address such as 127.0.0.1`);
  check.check(isPort(publish.port), `${arg}.port`, `${JSON.stringify(publish.port)} must be a port from 1 to 65535`);
}

/** Pulls a pinned third-party image; kept locally on destroy (other stacks may use it). */
export function pulledImage(name: string, ref: string, parent: pulumi.Resource): docker.RemoteImage {
  return new docker.RemoteImage(name, { name: ref, keepLocally: true }, { parent });
}

/** json-file logs with rotation: readable by Alloy through the Docker API, bounded on disk. */
const LOG_OPTIONS = { driver: "json-file", opts: { "max-size": "10m", "max-file": "3" } } as const;

/** Labels of everything a component creates: its service, its stack, the project. */
function labelsOf(component: Component, stack: string): Array<{ label: string; value: string }> {
  return [
    { label: SERVICE_LABEL, value: component },
    { label: STACK_LABEL, value: stack },
    { label: "voteobs.part-of", value: PART_OF },
  ];
}

/** Label of a files container (see filesContainer): the component whose files it holds. */
const FILES_OF_LABEL = "voteobs.files-of";

export interface ServiceContainerSpec {
  component: Component;
  /** Image id (RemoteImage.imageId, or Image.repoDigest for images built here). */
  image: pulumi.Input<string>;
  common: DockerComponentArgs;
  /** Docker healthcheck test, e.g. ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/healthy"]. */
  healthcheck: string[];
  /** Seconds the process gets to start before failed checks count. Defaults to 30. */
  startPeriodSeconds?: number;
  command?: pulumi.Input<string>[];
  entrypoints?: string[];
  envs?: pulumi.Input<string>[];
  /** Rendered files to place, read-only (the container is replaced when one changes). */
  files?: readonly PlacedFile[];
  /** Secret files to place: path → value; uploaded as secrets, readable only by `secretOwner`. */
  secretFiles?: Record<string, pulumi.Input<string>>;
  /** Numeric uid that reads the secret files. Defaults to the container's user. */
  secretOwner?: string;
  /** Mode of the secret files. Defaults to "0400". */
  secretMode?: string;
  volumes?: docker.types.input.ContainerVolume[];
  mounts?: docker.types.input.ContainerMount[];
  /** Host ports: internal port → publish. */
  publish?: Array<{ internal: number; publish: PublishArgs }>;
  /** Numeric `uid[:gid]` to run as. Defaults to the image's user. */
  user?: string;
  /** Capabilities to keep after dropping all. Defaults to none. */
  capAdd?: string[];
  /** Run privileged (cAdvisor only). Defaults to false. */
  privileged?: boolean;
  /**
   * Read-only root filesystem. Defaults to true: a container writes only to its volumes and to
   * the tmpfs mounts listed in `tmpfs`.
   */
  readOnly?: boolean;
  /** tmpfs mounts: path → options. Defaults to none. */
  tmpfs?: Record<string, string>;
  pidMode?: string;
  devices?: docker.types.input.ContainerDevice[];
}

/** Options of the tmpfs a read-only container writes its scratch files to. */
export const TMPFS = "rw,noexec,nosuid,size=16m";

/**
 * One hardened container: the `voteobs.service` and `voteobs.stack` labels, json-file logs, a
 * healthcheck, a restart policy, CPU and memory limits, a read-only root filesystem,
 * `no-new-privileges`, every capability dropped unless listed, ports bound to the given address
 * only, network aliases equal to the component name. Its files (rendered configs, secrets) come
 * read-only from its files container.
 */
export function serviceContainer(name: string, spec: ServiceContainerSpec, parent: pulumi.Resource, dependsOn: pulumi.Input<pulumi.Resource>[] = []): docker.Container {
  const common = spec.common;
  const prefix = common.namePrefix ?? "voteobs";
  const resources = common.resources ?? defaultResources(spec.component);
  const files = filesContainer(`${name}-files`, spec, parent);
  return new docker.Container(
    name,
    {
      name: `${prefix}-${spec.component}`,
      hostname: spec.component,
      image: spec.image,
      command: spec.command,
      entrypoints: spec.entrypoints,
      envs: spec.envs,
      labels: labelsOf(spec.component, common.stack),
      networksAdvanced: common.networks.map((network) => ({ name: network, aliases: [spec.component] })),
      ports: (spec.publish ?? []).map(({ internal, publish }) => ({ internal, external: publish.port, ip: publish.address ?? "127.0.0.1", protocol: "tcp" })),
      healthcheck: { tests: spec.healthcheck, interval: "15s", timeout: "5s", retries: 5, startPeriod: `${spec.startPeriodSeconds ?? 30}s` },
      restart: common.restart ?? "unless-stopped",
      mustRun: true,
      wait: common.waitForHealthy ?? true,
      waitTimeout: (spec.startPeriodSeconds ?? 30) + 90,
      cpus: String(resources.cpu),
      memory: memoryMb(resources.memory),
      memorySwap: memoryMb(resources.memory),
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"], adds: spec.capAdd ?? [] },
      privileged: spec.privileged ?? false,
      readOnly: spec.readOnly ?? true,
      tmpfs: spec.tmpfs,
      user: spec.user,
      pidMode: spec.pidMode,
      devices: spec.devices,
      logDriver: LOG_OPTIONS.driver,
      logOpts: { ...LOG_OPTIONS.opts },
      volumes: files ? [...(spec.volumes ?? []), { fromContainer: pulumi.interpolate`${files.id}:ro` }] : spec.volumes,
      mounts: spec.mounts,
      // Fixed names cannot coexist with their replacement: remove the old container first.
      destroyGraceSeconds: 30,
    },
    { parent, dependsOn, deleteBeforeReplace: true },
  );
}

/**
 * The files of a container with a read-only root. Docker refuses an upload into a read-only root
 * ("container rootfs is marked read-only"), and the provider extracts every upload at "/", which
 * no volume covers. So the files go to a companion container that is created and never started
 * (Docker's data-volume container): one anonymous volume per folder of the files, filled by the
 * uploads, mounted read-only into the service with volumes-from. A changed file replaces the
 * companion, its volumes go with it (the provider removes a container's anonymous volumes), and
 * the service, whose volumes-from names the companion's id, is replaced with the new files: no
 * file outlives its removal from the render. Undefined when the container has no files.
 */
function filesContainer(name: string, spec: ServiceContainerSpec, parent: pulumi.Resource): docker.Container | undefined {
  const secretOwner = spec.secretOwner ?? spec.user?.split(":")[0];
  const uploads: Array<{ file: string; content: pulumi.Input<string>; permissions: string; owner?: string }> = [
    ...(spec.files ?? []).map((file) => ({ file: file.path, content: file.content, permissions: "0444" })),
    ...Object.entries(spec.secretFiles ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([file, value]) => ({ file, content: pulumi.secret(value), permissions: spec.secretMode ?? "0400", ...(secretOwner ? { owner: secretOwner } : {}) })),
  ];
  if (uploads.length === 0) return undefined;
  const folders = [...new Set(uploads.map((upload) => posix.dirname(upload.file)))].sort();
  const prefix = spec.common.namePrefix ?? "voteobs";
  return new docker.Container(
    name,
    {
      name: `${prefix}-${spec.component}-files`,
      image: spec.image,
      labels: [
        { label: FILES_OF_LABEL, value: spec.component },
        { label: STACK_LABEL, value: spec.common.stack },
        { label: "voteobs.part-of", value: PART_OF },
      ],
      // Never runs: it only holds the volumes.
      start: false,
      mustRun: false,
      wait: false,
      restart: "no",
      networkMode: "none",
      volumes: folders.map((folder) => ({ containerPath: folder })),
      // The provider's default, stated: the files' volumes are removed with the companion.
      removeVolumes: true,
      uploads,
    },
    { parent, deleteBeforeReplace: true },
  );
}

/** A named volume for a component's data, kept by name so a replaced container finds its data again. */
export function dataVolume(name: string, volumeName: string, component: Component, stack: string, parent: pulumi.Resource): docker.Volume {
  return new docker.Volume(name, { name: volumeName, labels: labelsOf(component, stack) }, { parent });
}

/** Healthcheck by HTTP GET with busybox wget (present in the Prometheus, Alertmanager, Grafana, Loki, exporter and cAdvisor images). */
export function wgetCheck(url: string): string[] {
  return ["CMD-SHELL", `wget -q -O /dev/null ${url} || exit 1`];
}

/** Healthcheck by HTTP GET with node's fetch (our services' images have no wget). */
export function nodeCheck(url: string): string[] {
  return ["CMD", "node", "-e", `fetch(${JSON.stringify(url)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`];
}

/** Healthcheck by HTTP GET with bash's /dev/tcp (the Alloy image is Ubuntu without wget). */
export function bashHttpCheck(port: number, path: string): string[] {
  return ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`];
}

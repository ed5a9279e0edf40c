import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Component } from "../config/components";
import { cpuCores, memory, memoryBytes } from "../config/quantities";
import { pinnedImage, stackSchema, type StackConfig } from "../config/schema";

/** CPU and memory limits of one container or pod. */
export interface Resources {
  /** CPU limit in cores (0.5 = half a core). */
  cpu: number;
  /** Memory limit in Kubernetes notation ("256Mi", "1Gi"). */
  memory: string;
}

/** The configuration every field of which is at its default; component Args default to it. */
export const DEFAULTS: StackConfig = stackSchema.parse({});

/** Default limits of a component, as config/schema.ts sets them. */
export function defaultResources(component: Component): Resources {
  const { cpu, memory } = DEFAULTS.services[component];
  return { cpu, memory };
}

/** Label every container and pod carries: its project. */
export const PART_OF = "voteobs";

/** Memory limit in whole megabytes (MiB), as the Docker provider takes it. */
export function memoryMb(text: string): number {
  return Math.max(6, Math.ceil(memoryBytes(text) / 2 ** 20));
}

const IPV4 = z.ipv4();

/** config/schema.ts's rule for network.publishAddress (zod's IPv4). */
export function isIpv4(text: unknown): text is string {
  return IPV4.safeParse(text).success;
}

export function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** A DNS label: lower-case letters, digits and dashes. */
export function isDnsLabel(text: unknown, max = 63): text is string {
  return typeof text === "string" && text.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text);
}

/**
 * Argument checks of a component, run before any child is created. Each failure throws a
 * `pulumi.ResourceError` that names the component and the argument, e.g.
 * `voteobs:docker:Prometheus "prometheus": args.image "prom/prometheus:latest" is not pinned ...`.
 */
export class ArgChecker {
  constructor(
    private readonly resource: pulumi.ComponentResource,
    private readonly type: string,
    private readonly name: string,
  ) {}

  fail(arg: string, problem: string): never {
    throw new pulumi.ResourceError(`${this.type} "${this.name}": args.${arg} ${problem}`, this.resource);
  }

  check(ok: boolean, arg: string, problem: string): void {
    if (!ok) this.fail(arg, problem);
  }

  required(value: unknown, arg: string): void {
    this.check(value !== undefined && value !== null && value !== "", arg, "is required");
  }

  image(ref: unknown, arg = "image"): void {
    this.schema(pinnedImage, ref, arg);
  }

  resources(resources: Resources | undefined, arg = "resources"): void {
    if (resources === undefined) return;
    this.schema(cpuCores, resources.cpu, `${arg}.cpu`);
    this.schema(memory, resources.memory, `${arg}.memory`);
  }

  /** Checks a value with a fragment of the config schema, so the rule and its message live in one place. */
  nonEmpty(list: readonly unknown[] | undefined, arg: string, what: string): void {
    this.check(Array.isArray(list) && list.length > 0, arg, `must list at least one ${what}`);
  }

  files(files: Record<string, string> | undefined, required: readonly string[], arg = "files"): void {
    this.check(typeof files === "object" && files !== null, arg, "is required: the rendered folder of this component (renderAll output)");
    for (const name of required) this.check(typeof files?.[name] === "string" && files[name].length > 0, arg, `must hold the rendered ${name}`);
  }

  /**
   * Checks an argument with the zod fragment of config/schema.ts that validates the same field,
   * so a component and the stack config refuse exactly the same values with the same words.
   */
  schema(fragment: z.ZodType, value: unknown, arg: string): void {
    const result = fragment.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue.path.length > 0 ? `${arg}.${issue.path.join(".")}` : arg;
      const bad = issue.path.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);
      this.fail(where, `${JSON.stringify(bad)}: ${issue.message}`);
    }
  }

  secretFileName(name: string, arg: string): void {
    this.check(/^[a-z0-9][a-z0-9.-]*$/.test(name), arg, `${JSON.stringify(name)} is not a file name (lower-case letters, digits, dots and dashes)`);
  }
}

/** `http://<host>:<port>`; a wildcard bind address is reached through localhost. */
export function hostUrl(address: string, port: number): string {
  return `http://${address === "0.0.0.0" ? "localhost" : address}:${port}`;
}

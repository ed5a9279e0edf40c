/**
 * Pulumi mocks for the stack tests. Importing this module installs the mocks, so a test file
 * imports it FIRST and loads the stack modules afterwards (dynamic import). Each test file runs
 * in its own process (node --test), so mocks never leak between files.
 *
 * `buildGraph(...)` runs `deployStack` under the mocks and returns every registered resource:
 * type, name, parent and inputs exactly as the engine would receive them (secret inputs keep
 * Pulumi's secret marker), plus the parent captured through a transformation.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml, stringify } from "yaml";
import { deepMerge, loadFromPulumi, loadStackFile, type DeployConfig } from "../../config/load";
import type { StackConfig } from "../../config/schema";
import { secretUses } from "../../config/secrets";
// A type only (erased): the stack modules load after the mocks, in buildGraph.
import type { StackOutputs } from "../../stacks";
import { readTree } from "../../tools/render";

export const ROOT = join(__dirname, "../..");
export const SECRET_SIG_KEY = pulumi.runtime.specialSigKey;
export const SECRET_SIG = pulumi.runtime.specialSecretSig;

/** One resource as the engine received it. */
export interface Recorded {
  type: string;
  name: string;
  /** `type::name` of the parent, undefined for the root. */
  parent: string | undefined;
  custom: boolean;
  inputs: Record<string, unknown>;
}

export interface Graph {
  resources: Recorded[];
  /** The stack outputs deployStack returned (`pulumi stack output`), unresolved. */
  outputs?: StackOutputs;
  ofType(type: string): Recorded[];
  get(type: string, name: string): Recorded;
}

const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

/** The name the mocked Kubernetes provider gives an object without metadata.name (Pulumi auto-naming). */
export const autoName = (resourceName: string) => `${resourceName}-${short(resourceName).slice(0, 8)}`;

/** Outputs the real providers compute, made deterministic. */
function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${short(`image:${inputs.name}`)}`, repoDigest: `${String(inputs.name).split(":")[0]}@sha256:${short(`digest:${inputs.name}`)}` };
    case "docker:index/image:Image":
      // Pushed: repository@digest; built only (skipPush): the local image id.
      return { ...inputs, repoDigest: inputs.skipPush ? `sha256:${short(`build:${inputs.imageName}`)}` : `${String(inputs.imageName).replace(/:[^:/]+$/, "")}@sha256:${createHash("sha256").update(`push:${inputs.imageName}`).digest("hex")}` };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `generated-${name}` };
  }
  if (type.startsWith("kubernetes:")) {
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    return { ...inputs, metadata: { ...metadata, name: metadata.name ?? autoName(name) } };
  }
  return inputs;
}

/** Resources the mock monitor registered, as `type::name`. */
const registered = new Set<string>();
/** Resources as constructed: type, name, parent and the inputs the program gave them. */
const created: Array<{ resource: pulumi.Resource; type: string; name: string; parent: string | undefined; props: unknown; custom: boolean }> = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.add(`${args.type}::${args.name}`);
      return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
    },
    call(args) {
      return args.inputs;
    },
  },
  "voteobs",
  "dev",
  false,
);

/** Records each resource as it is constructed (inherited by every child of the root). */
const capture: pulumi.ResourceTransformation = (args) => {
  const parent = args.opts.parent as (pulumi.Resource & { __pulumiType?: string; __name?: string }) | undefined;
  created.push({ resource: args.resource, type: args.type, name: args.name, parent: parent ? `${parent.__pulumiType}::${parent.__name}` : undefined, props: args.props, custom: pulumi.CustomResource.isInstance(args.resource) });
  return undefined;
};

/** Waits until every constructed resource has been registered with the mock monitor. */
async function settle(): Promise<void> {
  for (;;) {
    const count = created.length;
    await Promise.all(created.map((c) => new Promise<void>((resolve) => c.resource.urn.apply(() => resolve()))));
    await new Promise((resolve) => setImmediate(resolve));
    if (created.length === count) return;
  }
}

/**
 * Input values with every Output resolved. A secret Output becomes Pulumi's wire marker
 * `{ <sig>: <secret sig>, value }` at its own position (the mock monitor would lift it to the
 * top-level property), so tests see exactly which values are secret.
 */
async function resolveDeep(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const internal = value as unknown as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    const [secret, inner] = await Promise.all([internal.isSecret, internal.promise()]);
    const resolved = await resolveDeep(inner);
    return secret ? { [SECRET_SIG_KEY]: SECRET_SIG, value: resolved } : resolved;
  }
  if (value instanceof Promise) return resolveDeep(await value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveDeep(v)));
  if (pulumi.Resource.isInstance(value)) return `<resource ${pulumi.resourceType(value)}::${pulumi.resourceName(value)}>`;
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(Object.entries(value).filter(([, v]) => v !== undefined).map(async ([k, v]) => [k, await resolveDeep(v)] as const));
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

function graphOf(resources: Recorded[]): Graph {
  return {
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    get(type, name) {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) throw new Error(`no ${type} named ${name}; have: ${resources.filter((r) => r.type === type).map((r) => r.name).join(", ")}`);
      return found;
    },
  };
}

/** Mock value of a Pulumi secret config key (so tests can search for leaks). */
export const mockSecret = (key: string) => `mock-secret-value-of-${key}`;

/**
 * The config of `Pulumi.<stack>.yaml` as `pulumi up` hands it to index.ts: every key of the
 * file (objects JSON-encoded) plus every secret key the config names, set to a mock secret.
 */
export function stackConfigFor(stack: string, overlay: Record<string, unknown> = {}): { all: Record<string, string>; secretKeys: string[] } {
  const path = join(ROOT, `Pulumi.${stack}.yaml`);
  const document = parseYaml(readFileSync(path, "utf8")) as { config?: Record<string, unknown> };
  const sections: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) sections[key.replace(/^voteobs:/, "")] = value;
  const merged = deepMerge(sections, overlay);
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries(merged)) all[`voteobs:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  const { config } = loadStackFile(path, [overlay]);
  const secretKeys = secretUses(config).flatMap((use) => (use.ref && "secret" in use.ref ? [use.ref.secret] : []));
  for (const key of secretKeys) all[`voteobs:${key}`] = mockSecret(key);
  return { all, secretKeys };
}

/** loadFromPulumi over the stack file, secrets as Pulumi secrets of mock values. */
export function loadStack(stack: string, overlay: Record<string, unknown> = {}): DeployConfig<pulumi.Output<string>> {
  const { all } = stackConfigFor(stack, overlay);
  return loadFromPulumi({ all, requireSecret: (key) => pulumi.secret(mockSecret(key)) });
}

/**
 * Runs the composition (deployStack) under the mocks and returns the resource graph. `stack` is
 * the Pulumi stack deployed; defaults to the mocks' stack, "dev".
 */
export async function buildGraph(config: StackConfig, secrets: DeployConfig<pulumi.Output<string>>["secrets"], namePrefix?: string, stack?: string): Promise<Graph> {
  const { deployStack } = await import("../../stacks");
  registered.clear();
  created.length = 0;
  const outputs = deployStack(config, secrets, { namePrefix, stack, opts: { transformations: [capture] } });
  await settle();
  await new Promise<void>((resolve) => pulumi.all([outputs.grafanaUrl, outputs.voteUrl]).apply(() => resolve()));
  const resources: Recorded[] = [];
  for (const c of created) {
    const key = `${c.type}::${c.name}`;
    if (!registered.has(key)) throw new Error(`${key} was constructed but never registered`);
    resources.push({ type: c.type, name: c.name, parent: c.parent, custom: c.custom, inputs: (await resolveDeep(c.props)) as Record<string, unknown> });
  }
  return { ...graphOf(resources), outputs };
}

// --- reading inputs -------------------------------------------------------------------------

export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** The value with every secret marker removed (for reading inputs in assertions). */
export function reveal<T = unknown>(value: unknown): T {
  if (isSecretValue(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map((v) => reveal(v)) as T;
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)])) as T;
  return value as T;
}

/** Every plain (non-secret) string of an input tree, with its path. */
export function plainStrings(value: unknown, path = ""): Array<{ path: string; text: string }> {
  if (isSecretValue(value)) return [];
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => plainStrings(v, path ? `${path}.${k}` : k));
  return [];
}

// --- snapshots ------------------------------------------------------------------------------

/** Stands for the rendered files in a snapshot: their bytes are checked against generated/ by the byte-identity tests. */
export const RENDERED_MARKER = "<rendered files: placed by stacks/files.ts, bytes checked against generated/>";

/**
 * A reviewable form of the graph: resources in tree order (type, name, parent, inputs) with
 * secrets shown as <secret>. Rendered files are left out (uploads and ConfigMap data show one
 * marker): their bytes are checked against generated/<stack>/ separately, so editing a rule or a
 * dashboard does not touch the snapshot, while adding a container, a mount or a port does.
 */
export function snapshotOf(graph: Graph, generated: Record<string, string>): string {
  const renderedTexts = new Set(Object.values(generated));
  const isRendered = (value: unknown) => typeof value === "string" && renderedTexts.has(value);
  const normalize = (value: unknown, key = ""): unknown => {
    if (isSecretValue(value)) return "<secret>";
    if (typeof value === "string") {
      if (key === "voteobs.io/config-hash") return "<hash of the mounted files>";
      if (value.startsWith(ROOT)) return `<repo>${value.slice(ROOT.length)}`;
      if (value.length > 160 || value.includes("\n")) return `<text ${value.split("\n").length} lines sha256:${short(value)}>`;
      return value;
    }
    if (Array.isArray(value)) {
      if (key === "uploads") {
        const kept = value.filter((u) => !isRendered((u as { content?: unknown }).content));
        return [...(kept.length < value.length ? [RENDERED_MARKER] : []), ...kept.map((v) => normalize(v))];
      }
      return value.map((v) => normalize(v));
    }
    if (typeof value === "object" && value !== null) {
      if (key === "data" && Object.values(value).every(isRendered)) return RENDERED_MARKER;
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, normalize((value as Record<string, unknown>)[k], k)]),
      );
    }
    return value;
  };
  const children = new Map<string | undefined, Recorded[]>();
  for (const r of graph.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const ordered: Recorded[] = [];
  const walk = (parent: string | undefined) => {
    const list = (children.get(parent) ?? []).sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : a.type < b.type ? -1 : 1));
    for (const r of list) {
      ordered.push(r);
      walk(`${r.type}::${r.name}`);
    }
  };
  walk(undefined);
  const entries = ordered.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: normalize(r.inputs) }));
  return `# Resource graph of the default stack under Pulumi mocks. Review changes; update with UPDATE_SNAPSHOTS=1.\n${stringify(entries, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** Compares with test/stacks/__snapshots__/<name>, or writes it when UPDATE_SNAPSHOTS=1. */
export function matchSnapshot(name: string, actual: string): { ok: true } | { ok: false; message: string } {
  const path = join(__dirname, "__snapshots__", name);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return { ok: true };
  }
  if (!existsSync(path)) return { ok: false, message: `no snapshot ${path}; run UPDATE_SNAPSHOTS=1 npm run test:stacks and review it` };
  const expected = readFileSync(path, "utf8");
  if (expected === actual) return { ok: true };
  const a = expected.split("\n");
  const b = actual.split("\n");
  const first = a.findIndex((line, i) => line !== b[i]);
  const context = (lines: string[]) => lines.slice(Math.max(0, first - 3), first + 4).join("\n");
  return { ok: false, message: `resource graph differs from ${path} at line ${first + 1}:\n--- snapshot\n${context(a)}\n+++ now\n${context(b)}\nIf the change is intended, run UPDATE_SNAPSHOTS=1 npm run test:stacks and review the diff.` };
}

/** The committed render of a stack, generated/<stack>/. */
export function loadGenerated(stack: string): Record<string, string> {
  return readTree(join(ROOT, "generated", stack));
}

export type { StackConfig };

import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { crossFieldProblems } from "./checks";
import { ConfigError, NAMESPACE, closest, describeIssues, pulumiPath } from "./errors";
import { stackSchema, type StackConfig } from "./schema";
import { secretUses, type SecretUse } from "./secrets";

/**
 * The only module that reads configuration: from the Pulumi program's config, from a
 * `Pulumi.<stack>.yaml` file (render, diff, local target) and from the environment.
 */

const SECTIONS = Object.keys(stackSchema.shape);

/** Validates raw section values (already parsed from JSON/YAML) into the stack config. */
export function parseStackConfig(raw: Record<string, unknown>, source = "configuration"): StackConfig {
  const result = stackSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(describeIssues(stackSchema, result.error.issues, pulumiPath), source);
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return result.data;
}

/**
 * Splits `namespace:key` entries into schema sections and the remaining keys (secrets and
 * mistakes). A remaining key that no secret reference names is reported as unknown.
 */
function sectionsOf(entries: Record<string, unknown>): { sections: Record<string, unknown>; others: Map<string, unknown> } {
  const sections: Record<string, unknown> = {};
  const others = new Map<string, unknown>();
  for (const [fullKey, value] of Object.entries(entries)) {
    const [namespace, key] = fullKey.includes(":") ? fullKey.split(/:(.*)/s, 2) : [NAMESPACE, fullKey];
    if (namespace !== NAMESPACE) continue; // provider settings such as docker:host belong to Pulumi
    if (SECTIONS.includes(key)) sections[key] = value;
    else others.set(key, value);
  }
  return { sections, others };
}

function checkUnknownKeys(config: StackConfig, others: Map<string, unknown>, source: string): void {
  const secretKeys = new Set(secretUses(config).flatMap((use) => (use.ref && "secret" in use.ref ? [use.ref.secret] : [])));
  const problems: string[] = [];
  for (const key of others.keys()) {
    if (secretKeys.has(key)) continue;
    const guess = closest(key, [...SECTIONS, ...secretKeys]);
    problems.push(`${NAMESPACE}:${key}: unknown config key${guess ? ` (did you mean "${NAMESPACE}:${guess}"?)` : ""}; allowed keys: ${SECTIONS.join(", ")}, plus the secret keys your receivers name (${[...secretKeys].join(", ") || "none"})`);
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
}

export interface StackFileConfig {
  config: StackConfig;
  /** Secret keys present in the file (encrypted values are never decrypted here). */
  presentSecretKeys: string[];
}

/**
 * Reads a `Pulumi.<stack>.yaml` without the Pulumi CLI (render, diff and the local target).
 * `overlays` are merged on top, deepest last, e.g. the time-scaled profile of the end-to-end tests.
 */
export function loadStackFile(path: string, overlays: Record<string, unknown>[] = []): StackFileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`], `stack file ${path}`);
  }
  return parseStackText(text, path, overlays);
}

/** The text of a stack file (from disk, or from git at another ref), validated; `name` is what errors call it. */
export function parseStackText(text: string, name: string, overlays: Record<string, unknown>[] = []): StackFileConfig {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${name}: cannot read it as YAML: ${(error as Error).message}`], `stack file ${name}`);
  }
  const entries = ((document as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const { sections, others } = sectionsOf(entries);
  const merged = overlays.reduce<Record<string, unknown>>((acc, overlay) => deepMerge(acc, overlay), sections);
  const config = parseStackConfig(merged, `stack file ${name}`);
  checkUnknownKeys(config, others, `stack file ${name}`);
  return { config, presentSecretKeys: [...others.keys()] };
}

/** The subset of `pulumi.Config` that loading needs; index.ts passes the real one. */
export interface PulumiConfigReader<Secret> {
  /** `pulumi.runtime.allConfig()`: every key, objects JSON-encoded. */
  all: Record<string, string>;
  requireSecret(key: string): Secret;
}

export interface ResolvedSecret<Secret> {
  fileName: string;
  component: SecretUse["component"];
  /** The environment variable the component reads it from instead of the file (see SecretUse.env). */
  env?: string;
  /**
   * A Pulumi secret, the text of a file, or undefined when the stack should generate one (only the
   * Grafana admin, Postgres and Redis passwords: the long-term stores' credentials are always given).
   */
  value: Secret | string | undefined;
}

export interface DeployConfig<Secret> {
  config: StackConfig;
  /**
   * Every secret the stack places: the receivers', the generated or given passwords, and the
   * long-term stores' (remote-write passwords and tokens, files in Prometheus' secrets folder;
   * Loki's S3 credentials, read from `env`).
   */
  secrets: ResolvedSecret<Secret>[];
}

/** Loads and validates the config of the running Pulumi program, and resolves every secret reference. */
export function loadFromPulumi<Secret>(reader: PulumiConfigReader<Secret>, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): DeployConfig<Secret> {
  const decoded: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(reader.all)) decoded[key] = decodeConfigValue(text);
  const { sections, others } = sectionsOf(decoded);
  const config = parseStackConfig(sections, "stack configuration");
  checkUnknownKeys(config, others, "stack configuration");
  return { config, secrets: resolveSecrets(config, (key) => others.has(key), reader.requireSecret.bind(reader), readFile) };
}

function resolveSecrets<Secret>(config: StackConfig, isSet: (key: string) => boolean, requireSecret: (key: string) => Secret, readFile: (path: string) => string): ResolvedSecret<Secret>[] {
  const problems: string[] = [];
  const resolved = secretUses(config).map((use): ResolvedSecret<Secret> => {
    const base = { fileName: use.fileName, component: use.component, ...(use.env ? { env: use.env } : {}) };
    if (use.ref === undefined) return { ...base, value: undefined };
    if ("secret" in use.ref) {
      if (!isSet(use.ref.secret)) {
        problems.push(`${use.path}: names the secret ${NAMESPACE}:${use.ref.secret}, which is not set; run \`pulumi config set --secret ${use.ref.secret} <value>\`${use.path.startsWith("alerting.receivers") ? " or disable the receiver (enabled: false)" : ""}`);
        return { ...base, value: undefined };
      }
      return { ...base, value: requireSecret(use.ref.secret) };
    }
    try {
      const text = readFile(use.ref.file).trim();
      if (text === "") problems.push(`${use.path}: file ${use.ref.file} is empty`);
      return { ...base, value: text };
    } catch (error) {
      problems.push(`${use.path}: cannot read secret file ${use.ref.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return { ...base, value: undefined };
    }
  });
  if (problems.length > 0) throw new ConfigError(problems, "stack configuration");
  return resolved;
}

/** Pulumi hands objects and arrays over as JSON text, scalars as plain text. */
function decodeConfigValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || trimmed === "true" || trimmed === "false" || /^-?\d+(\.\d+)?$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

/** Objects merge key by key; arrays and scalars of `overlay` replace those of `base`. */
export function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

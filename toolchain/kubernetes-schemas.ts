import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TEST_PINS } from "../config/versions";
import { downloadModule, goEnv } from "./go";
import { toolchainDir } from "./index";

/**
 * The JSON schemas kubeconform validates Kubernetes objects against, made from the OpenAPI (v2)
 * document the pinned Kubernetes release ships in its Go module (api/openapi-spec/swagger.json).
 * kubeconform normally downloads them from yannh/kubernetes-json-schema; this writes the same
 * "standalone-strict" layout locally: one file per kind and API version, named as kubeconform's
 * `{{ .ResourceKind }}{{ .KindSuffix }}.json` template expects (deployment-apps-v1.json,
 * service-v1.json), every $ref inlined, and `additionalProperties: false` on every object that
 * lists its properties, so an unknown field is an error.
 */

export const KUBERNETES_SCHEMA_PIN = TEST_PINS.kubernetes;

/** The OpenAPI document inside the k8s.io/kubernetes module. */
const OPENAPI_PATH = "api/openapi-spec/swagger.json";

/** Kinds that carry JSON schema themselves (CustomResourceDefinition): recursive, left out as upstream's converter does. */
const RECURSIVE_DEFINITION = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** `<toolchainDir>/kubernetes-schemas-<release>/`. */
function kubernetesSchemaDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolchainDir(env), `kubernetes-schemas-${KUBERNETES_SCHEMA_PIN.release}`);
}

class SchemasMissingError extends Error {}

/** kubeconform's -schema-location for the built schemas; a clear error naming `npm run toolchain` when they are missing. */
export function kubeconformSchemaLocation(env: NodeJS.ProcessEnv = process.env): string {
  const dir = kubernetesSchemaDir(env);
  if (!existsSync(join(dir, "build.json"))) {
    throw new SchemasMissingError(`the Kubernetes ${KUBERNETES_SCHEMA_PIN.release} JSON schemas are not built (expected ${dir}); run \`npm run toolchain\``);
  }
  return join(dir, "{{ .ResourceKind }}{{ .KindSuffix }}.json");
}

/** kubeconform's file name of a kind: the kind in lower case, the first label of its group, its version. */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const suffix = group === "" ? `-${version}` : `-${group.split(".")[0]}-${version}`;
  return `${kind.toLowerCase()}${suffix}.json`.toLowerCase();
}

/**
 * Converts a Kubernetes OpenAPI v2 document into standalone strict JSON schemas (draft 4, which
 * kubeconform assumes when `$schema` is absent), keyed by file name.
 */
export function convertOpenApi(document: { definitions: Record<string, JsonObject> }): Map<string, JsonObject> {
  const definitions: Record<string, JsonObject> = { ...document.definitions };
  // Kubernetes-specific types the OpenAPI document describes as strings.
  definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = { oneOf: [{ type: "string" }, { type: "integer" }] };
  definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"] = { oneOf: [{ type: "string" }, { type: "number" }] };

  const inlined = new Map<string, JsonObject>();
  const resolve = (name: string, stack: string[]): JsonObject => {
    const done = inlined.get(name);
    if (done) return done;
    if (stack.includes(name)) throw new RecursiveSchemaError(name);
    const definition = definitions[name];
    if (definition === undefined) throw new Error(`the OpenAPI document refers to ${name}, which it does not define`);
    const result = strict(inline(definition, [...stack, name], resolve)) as JsonObject;
    inlined.set(name, result);
    return result;
  };

  const files = new Map<string, JsonObject>();
  for (const [name, definition] of Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const kinds = (definition["x-kubernetes-group-version-kind"] ?? []) as unknown as GroupVersionKind[];
    if (kinds.length === 0) continue;
    let schema: JsonObject;
    try {
      schema = structuredClone(resolve(name, []));
    } catch (error) {
      if (error instanceof RecursiveSchemaError && error.definition === RECURSIVE_DEFINITION) continue;
      throw error;
    }
    schema.type ??= "object";
    schema.additionalProperties = false;
    const properties = schema.properties as JsonObject | undefined;
    // The kind and apiVersion a file is for, as the kubernetes-json-schema files say (a typo there is an error too).
    if (properties?.apiVersion) (properties.apiVersion as JsonObject).enum = kinds.map((k) => (k.group === "" ? k.version : `${k.group}/${k.version}`));
    if (properties?.kind) (properties.kind as JsonObject).enum = [...new Set(kinds.map((k) => k.kind))];
    for (const gvk of kinds) {
      const file = schemaFileName(gvk);
      if (files.has(file)) throw new Error(`two definitions map to ${file}; kubeconform could not tell them apart`);
      files.set(file, schema);
    }
  }
  return files;
}

class RecursiveSchemaError extends Error {
  constructor(readonly definition: string) {
    super(`${definition} refers to itself; a standalone schema cannot inline it`);
  }
}

/** The value with every `{ $ref: "#/definitions/X" }` replaced by X, inlined. */
function inline(value: Json, stack: string[], resolve: (name: string, stack: string[]) => JsonObject): Json {
  if (Array.isArray(value)) return value.map((v) => inline(v, stack, resolve));
  if (value === null || typeof value !== "object") return value;
  const ref = value.$ref;
  if (typeof ref === "string") {
    const name = ref.replace(/^#\/definitions\//, "");
    // A $ref's siblings (a description) carry no constraint in draft 4; the referred schema replaces it.
    return resolve(name, stack);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v, stack, resolve)]));
}

/**
 * `additionalProperties: false` on every schema that lists `properties` and says nothing about
 * others, as kubectl's own validation treats them. Maps (`additionalProperties: {...}`) stay maps.
 */
function strict(value: Json): Json {
  if (Array.isArray(value)) return value.map(strict);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "properties" ? strictProperties(v) : strict(v)]));
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function strictProperties(properties: Json): Json {
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) return properties;
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, strict(v)]));
}

/** What a finished conversion leaves beside the schemas; reused while the pin is the same. */
interface SchemaRecord {
  definition: string;
  module: string;
  version: string;
  files: number;
}

export type SchemaBuild = { dir: string; files: number; cached: boolean };

/** Downloads the pinned Kubernetes module (Go module proxy) and writes its schemas, or reuses them. */
export async function buildKubernetesSchemas(baseEnv: NodeJS.ProcessEnv): Promise<SchemaBuild> {
  const dir = kubernetesSchemaDir(baseEnv);
  const recordFile = join(dir, "build.json");
  const definition = JSON.stringify({ pin: KUBERNETES_SCHEMA_PIN, converter: 1 });
  const existing = readRecord(recordFile);
  if (existing && existing.definition === definition) return { dir, files: existing.files, cached: true };

  const { module, version } = KUBERNETES_SCHEMA_PIN.go;
  const info = await downloadModule(module, version, goEnv(baseEnv));
  const document = JSON.parse(readFileSync(join(info.Dir, OPENAPI_PATH), "utf8")) as { swagger?: string; definitions: Record<string, JsonObject> };
  if (document.swagger !== "2.0") throw new Error(`${module}@${version}/${OPENAPI_PATH} is not an OpenAPI 2.0 document`);
  const files = convertOpenApi(document);

  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const [file, schema] of files) writeFileSync(join(staging, file), JSON.stringify(schema));
    const record: SchemaRecord = { definition, module, version, files: files.size };
    writeFileSync(join(staging, "build.json"), `${JSON.stringify(record, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, files: files.size, cached: false };
}

function readRecord(file: string): SchemaRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SchemaRecord;
  } catch {
    return undefined;
  }
}

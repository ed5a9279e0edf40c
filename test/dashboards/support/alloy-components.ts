import { referencesIn, type Block } from "./alloy-syntax";

/**
 * The arguments, blocks and exports of the Alloy components our config uses, as the Alloy
 * reference documents them (v1.4). A misspelt argument, a missing required one or a reference to
 * an export that does not exist is what Alloy refuses at load time; this catches it without the
 * binary.
 */
interface Schema {
  required?: string[];
  optional?: string[];
  blocks?: Record<string, Schema>;
  /** Blocks that may repeat (rule, stage.*); others may appear once. */
  repeated?: string[];
  exports?: string[];
}

const RELABEL_RULE: Schema = { optional: ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"] };

const STAGES: Record<string, Schema> = {
  "stage.json": { required: ["expressions"], optional: ["source", "drop_malformed"] },
  "stage.logfmt": { required: ["mapping"], optional: ["source"] },
  "stage.regex": { required: ["expression"], optional: ["source", "labels_from_groups"] },
  "stage.template": { required: ["source", "template"] },
  "stage.labels": { required: ["values"] },
  "stage.label_keep": { required: ["values"] },
  "stage.label_drop": { required: ["values"] },
  "stage.structured_metadata": { optional: ["values", "regex"] },
};
const MATCH: Schema = { required: ["selector"], optional: ["pipeline_name", "action", "drop_counter_reason"], blocks: STAGES, repeated: Object.keys(STAGES) };
STAGES["stage.match"] = MATCH;

export const COMPONENT_SCHEMAS: Record<string, Schema> = {
  logging: { optional: ["level", "format", "write_to"] },
  "discovery.docker": {
    required: ["host"],
    optional: ["port", "host_networking_host", "refresh_interval", "match_first_network"],
    blocks: { filter: { required: ["name", "values"] } },
    repeated: ["filter"],
    exports: ["targets"],
  },
  "discovery.kubernetes": {
    required: ["role"],
    optional: ["api_server", "kubeconfig_file"],
    blocks: { namespaces: { optional: ["own_namespace", "names"] }, selectors: { required: ["role"], optional: ["label", "field"] }, attach_metadata: { optional: ["node", "namespace"] } },
    repeated: ["selectors"],
    exports: ["targets"],
  },
  "discovery.relabel": { required: ["targets"], blocks: { rule: RELABEL_RULE }, repeated: ["rule"], exports: ["output", "rules"] },
  "loki.source.docker": { required: ["host", "targets", "forward_to"], optional: ["labels", "relabel_rules", "refresh_interval"] },
  "loki.source.kubernetes": { required: ["targets", "forward_to"], blocks: { client: { optional: ["api_server", "kubeconfig_file"] }, clustering: { optional: ["enabled"] } } },
  "loki.process": { required: ["forward_to"], blocks: STAGES, repeated: Object.keys(STAGES), exports: ["receiver"] },
  "loki.write": {
    optional: ["max_streams", "external_labels"],
    blocks: { endpoint: { required: ["url"], optional: ["name", "headers", "batch_wait", "batch_size", "remote_timeout", "tenant_id", "min_backoff_period", "max_backoff_period", "max_backoff_retries", "retry_on_http_429"] } },
    repeated: ["endpoint"],
    exports: ["receiver"],
  },
};

/** Problems Alloy would report when loading these blocks. */
export function componentProblems(blocks: readonly Block[]): string[] {
  const problems: string[] = [];
  const declared = new Set<string>();

  const check = (block: Block, schema: Schema, where: string) => {
    const allowed = new Set([...(schema.required ?? []), ...(schema.optional ?? [])]);
    for (const name of Object.keys(block.attributes)) if (!allowed.has(name)) problems.push(`${where}: unknown argument ${name}`);
    for (const name of schema.required ?? []) if (!(name in block.attributes)) problems.push(`${where}: missing required argument ${name}`);
    const seen = new Set<string>();
    for (const inner of block.blocks) {
      const innerSchema = schema.blocks?.[inner.name];
      if (!innerSchema) {
        problems.push(`${where}: unknown block ${inner.name}`);
        continue;
      }
      if (seen.has(inner.name) && !schema.repeated?.includes(inner.name)) problems.push(`${where}: block ${inner.name} may appear once`);
      seen.add(inner.name);
      if (inner.label !== undefined) problems.push(`${where}: block ${inner.name} takes no label`);
      check(inner, innerSchema, `${where} > ${inner.name}`);
    }
  };

  for (const block of blocks) {
    const schema = COMPONENT_SCHEMAS[block.name];
    const id = block.label === undefined ? block.name : `${block.name}.${block.label}`;
    if (!schema) {
      problems.push(`line ${block.line}: unknown component ${block.name}`);
      continue;
    }
    if (block.name !== "logging" && block.label === undefined) problems.push(`${block.name}: a component needs a label`);
    if (block.name === "logging" && block.label !== undefined) problems.push("logging takes no label");
    if (declared.has(id)) problems.push(`${id} declared twice`);
    declared.add(id);
    check(block, schema, id);
  }

  const references = (block: Block): string[][] => [...Object.values(block.attributes).flatMap(referencesIn), ...block.blocks.flatMap(references)];
  for (const block of blocks) {
    for (const path of references(block)) {
      const name = Object.keys(COMPONENT_SCHEMAS)
        .filter((n) => path.join(".").startsWith(`${n}.`))
        .sort((a, b) => b.length - a.length)[0];
      const rest = name === undefined ? [] : path.slice(name.split(".").length);
      if (name === undefined || rest.length !== 2) {
        problems.push(`${block.name}: ${path.join(".")} is no component export`);
        continue;
      }
      if (!declared.has(`${name}.${rest[0]}`)) problems.push(`${block.name}: ${path.join(".")} refers to undeclared ${name} "${rest[0]}"`);
      if (!COMPONENT_SCHEMAS[name].exports?.includes(rest[1])) problems.push(`${block.name}: ${name} exports no ${rest[1]}`);
    }
  }
  return problems;
}

import { referencesIn, type Block } from "./alloy-syntax";

/**
 * The arguments, blocks and exports of the Alloy components our config uses, as Alloy 1.18.1 decodes
 * them: read from github.com/grafana/alloy at tag v1.18.1, the `alloy:"name,attr|block[,optional]"`
 * struct tags of each component's Arguments (internal/component/discovery/{docker,kubernetes,relabel},
 * internal/component/loki/{source/docker,source/kubernetes,process,write}, the stages under
 * internal/component/loki/process/stages, internal/component/common/config/types.go for the HTTP
 * client settings components squash in, internal/runtime/logging/options.go for `logging`). Names only.
 * A misspelt argument, a missing required one or a reference to an export that does not exist is what
 * Alloy refuses at load time; this catches it without the binary (Alloy pulls in AGPL modules and is
 * never built here). When the pin moves, re-read those files at the new tag.
 */
export const ALLOY_REFERENCE = { release: "1.18.1" } as const;

interface Schema {
  required?: string[];
  optional?: string[];
  /** Groups of which at least one argument must be set (validated by the component, e.g. stage.json). */
  oneOf?: string[][];
  blocks?: Record<string, Schema>;
  /** Blocks that may repeat (rule, stage.*); others may appear once. */
  repeated?: string[];
  exports?: string[];
  /** A block Alloy knows whose contents were not read here: using it fails until they are listed. */
  unlisted?: true;
}

const UNLISTED: Schema = { unlisted: true };
/** common/config HTTPClientConfig, squashed into the components that take it. */
const HTTP_CLIENT: Schema = {
  optional: ["bearer_token", "bearer_token_file", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "follow_redirects", "enable_http2", "http_headers"],
  blocks: { basic_auth: UNLISTED, authorization: UNLISTED, oauth2: UNLISTED, tls_config: UNLISTED },
};
const withHttpClient = (schema: Schema): Schema => ({
  ...schema,
  optional: [...(schema.optional ?? []), ...HTTP_CLIENT.optional!],
  blocks: { ...(schema.blocks ?? {}), ...HTTP_CLIENT.blocks },
});

const RELABEL_RULE: Schema = { optional: ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"] };

const STAGES: Record<string, Schema> = {
  "stage.json": { optional: ["expressions", "regex", "source", "drop_malformed"], oneOf: [["expressions", "regex"]] },
  "stage.logfmt": { optional: ["mapping", "regex", "source"], oneOf: [["mapping", "regex"]] },
  "stage.regex": { required: ["expression"], optional: ["source", "labels_from_groups"] },
  "stage.template": { required: ["source", "template"] },
  "stage.labels": { required: ["values"], optional: ["source_type"] },
  "stage.label_keep": { required: ["values"] },
  "stage.label_drop": { required: ["values"] },
  "stage.structured_metadata": { optional: ["values", "regex"] },
};
const MATCH: Schema = { required: ["selector"], optional: ["pipeline_name", "action", "drop_counter_reason"], blocks: STAGES, repeated: Object.keys(STAGES) };
STAGES["stage.match"] = MATCH;

export const COMPONENT_SCHEMAS: Record<string, Schema> = {
  logging: { optional: ["level", "format", "destination", "write_to"] },
  "discovery.docker": withHttpClient({
    required: ["host"],
    optional: ["port", "host_networking_host", "refresh_interval", "match_first_network"],
    blocks: { filter: { required: ["name", "values"] } },
    repeated: ["filter"],
    exports: ["targets"],
  }),
  "discovery.kubernetes": withHttpClient({
    required: ["role"],
    optional: ["api_server", "kubeconfig_file"],
    blocks: { namespaces: { optional: ["own_namespace", "names"] }, selectors: { required: ["role"], optional: ["label", "field"] }, attach_metadata: { optional: ["node", "namespace"] } },
    repeated: ["selectors"],
    exports: ["targets"],
  }),
  "discovery.relabel": { required: ["targets"], blocks: { rule: RELABEL_RULE }, repeated: ["rule"], exports: ["output", "rules"] },
  "loki.source.docker": { required: ["host", "targets", "forward_to"], optional: ["labels", "relabel_rules", "refresh_interval"], blocks: { http_client_config: UNLISTED } },
  "loki.source.kubernetes": {
    required: ["targets", "forward_to"],
    blocks: { client: withHttpClient({ optional: ["api_server", "kubeconfig_file"] }), clustering: { required: ["enabled"] } },
  },
  "loki.process": { required: ["forward_to"], blocks: STAGES, repeated: Object.keys(STAGES), exports: ["receiver"] },
  "loki.write": {
    optional: ["max_streams", "external_labels"],
    blocks: {
      endpoint: withHttpClient({
        required: ["url"],
        optional: ["name", "headers", "batch_wait", "batch_size", "remote_timeout", "tenant_id", "min_backoff_period", "max_backoff_period", "max_backoff_retries", "retry_on_http_429"],
        blocks: { queue_config: { optional: ["capacity", "min_shards", "drain_timeout", "block_on_overflow"] } },
      }),
      wal: { optional: ["enabled", "max_segment_age", "min_read_frequency", "max_read_frequency", "drain_timeout"] },
    },
    repeated: ["endpoint"],
    exports: ["receiver"],
  },
};

/** Problems Alloy would report when loading these blocks. */
export function componentProblems(blocks: readonly Block[]): string[] {
  const problems: string[] = [];
  const declared = new Set<string>();

  const check = (block: Block, schema: Schema, where: string) => {
    if (schema.unlisted) {
      problems.push(`${where}: its arguments were not read from Alloy ${ALLOY_REFERENCE.release}; list them in support/alloy-components.ts first`);
      return;
    }
    for (const group of schema.oneOf ?? []) if (!group.some((name) => name in block.attributes)) problems.push(`${where}: needs one of ${group.join(", ")}`);
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

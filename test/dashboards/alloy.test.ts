import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COMPONENTS, type Component } from "../../config/components";
import { dockerTopology, kubernetesTopology, type Topology } from "../../render";
import { ALLOY_NODE_ENV, renderAlloyConfig } from "../../render/alloy";
import { devConfig } from "../support/render";
import { PINS } from "../../config/versions";
import { ALLOY_REFERENCE, componentProblems } from "./support/alloy-components";
import { parseAlloy, type Block, type Expr } from "./support/alloy-syntax";

const config = devConfig();
const docker = parseAlloy(renderAlloyConfig(config, dockerTopology()));
const kubernetes = parseAlloy(renderAlloyConfig(config, kubernetesTopology("voteobs", 3)));
const localTopology: Topology = { ...dockerTopology(), target: "local", logs: { kind: "none" }, urls: { ...dockerTopology().urls, loki: "http://127.0.0.1:3100" } };

const component = (blocks: Block[], name: string, label?: string) => blocks.find((b) => b.name === name && (label === undefined || b.label === label));
const str = (expr: Expr | undefined): string => (expr?.kind === "string" ? expr.value : assert.fail(`not a string: ${JSON.stringify(expr)}`));
const strings = (expr: Expr | undefined): string[] => (expr?.kind === "list" ? expr.items.map(str) : assert.fail(`not a list: ${JSON.stringify(expr)}`));
const stages = (blocks: Block[]) => component(blocks, "loki.process", "levels")!.blocks;

describe("the Alloy config is valid Alloy", () => {
  it("the component lists were read at the pinned release", () => {
    assert.equal(ALLOY_REFERENCE.release, PINS.alloy.release, "re-read the component sources at the new tag and update support/alloy-components.ts");
  });

  for (const [target, blocks] of [
    ["docker", docker],
    ["kubernetes", kubernetes],
  ] as const) {
    it(`${target}: every component, argument and reference is one Alloy knows`, () => {
      assert.deepEqual(componentProblems(blocks), []);
      assert.ok(blocks.length >= 6);
    });
  }

  it("the syntax and component checks fail on what Alloy would refuse", () => {
    assert.throws(() => parseAlloy('loki.write "a" {\n  endpoint {\n    url = "x"\n  }\n'), /expected an attribute or a block|at ""/);
    assert.throws(() => parseAlloy('discovery.relabel "a" {\n  targets = [\n    "a"\n  ]\n}'), /trailing comma/);
    assert.throws(() => parseAlloy('stage.regex "a" {\n  expression = "\\d"\n}'), /invalid escape/);
    assert.throws(() => parseAlloy('logging {\n  level = "info" format = "logfmt"\n}'), /separate lines/);
    assert.deepEqual(componentProblems(parseAlloy('loki.write "a" {\n  endpoint {\n    uri = "x"\n  }\n}')), ['loki.write.a > endpoint: unknown argument uri', "loki.write.a > endpoint: missing required argument url"]);
    assert.deepEqual(componentProblems(parseAlloy('loki.source.docker "a" {\n  host = "x"\n  targets = []\n  forward_to = [loki.process.b.receiver]\n}')), ['loki.source.docker: loki.process.b.receiver refers to undeclared loki.process "b"']);
  });

  it("the component checks follow the pinned release: what 1.18.1 requires, allows and has not been read", () => {
    const problems = (text: string) => componentProblems(parseAlloy(text));
    assert.deepEqual(problems('loki.process "a" {\n  forward_to = []\n  stage.json {\n    source = "x"\n  }\n}'), ["loki.process.a > stage.json: needs one of expressions, regex"]);
    assert.deepEqual(problems('loki.process "a" {\n  forward_to = []\n  stage.logfmt {\n    regex = "level"\n  }\n}'), []);
    assert.deepEqual(problems('loki.source.kubernetes "a" {\n  targets = []\n  forward_to = []\n  clustering {\n  }\n}'), ["loki.source.kubernetes.a > clustering: missing required argument enabled"]);
    assert.deepEqual(problems('loki.process "a" {\n  forward_to = []\n  stage.labels {\n    values = {}\n    source = "x"\n  }\n}'), ["loki.process.a > stage.labels: unknown argument source"]);
    assert.deepEqual(problems('loki.write "a" {\n  endpoint {\n    url = "x"\n    basic_auth {\n    }\n  }\n}'), ["loki.write.a > endpoint > basic_auth: its arguments were not read from Alloy 1.18.1; list them in support/alloy-components.ts first"]);
    assert.deepEqual(problems('logging {\n  level = "info"\n  destination = "stderr"\n}'), []);
  });
});

describe("Alloy reads every container of the stack and nothing else", () => {
  it("docker: the Docker socket, our containers only (voteobs.service label), streams labelled per container", () => {
    assert.equal(str(component(docker, "discovery.docker")!.attributes.host), "unix:///var/run/docker.sock");
    const keep = component(docker, "discovery.relabel", "ours")!.blocks[0].attributes;
    assert.deepEqual([strings(keep.source_labels), str(keep.regex), str(keep.action)], [["__meta_docker_container_label_voteobs_service"], ".+", "keep"]);
    const source = component(docker, "loki.source.docker")!;
    assert.deepEqual(source.attributes.targets, { kind: "ref", path: ["discovery", "relabel", "ours", "output"] });
    assert.deepEqual(source.attributes.relabel_rules, { kind: "ref", path: ["discovery", "relabel", "stream_labels", "rules"] });
    const targets = component(docker, "discovery.relabel", "stream_labels")!.blocks.map((r) => str(r.attributes.target_label));
    assert.deepEqual(targets, ["service", "container", "stream"]);
  });

  it("kubernetes: pods of the stack's namespace with app.kubernetes.io/name on this Alloy's node, read through the API", () => {
    const discovery = component(kubernetes, "discovery.kubernetes")!;
    assert.equal(str(discovery.attributes.role), "pod");
    assert.deepEqual(strings(discovery.blocks[0].attributes.names), ["voteobs"]);
    const rules = component(kubernetes, "discovery.relabel", "pods")!.blocks;
    assert.equal(str(rules[0].attributes.action), "keep");
    assert.deepEqual(strings(rules[0].attributes.source_labels), ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]);
    // A DaemonSet replica per node: each keeps only its node's pods, or every line would arrive once per node.
    assert.equal(str(rules[1].attributes.action), "keep");
    assert.deepEqual(strings(rules[1].attributes.source_labels), ["__meta_kubernetes_pod_node_name"]);
    assert.deepEqual(rules[1].attributes.regex, { kind: "call", path: ["sys", "env"], args: [{ kind: "string", value: ALLOY_NODE_ENV }] });
    assert.ok(component(kubernetes, "loki.source.kubernetes"));
  });

  it("both push to the topology's Loki", () => {
    assert.equal(str(component(docker, "loki.write")!.blocks[0].attributes.url), "http://loki:3100/loki/api/v1/push");
    assert.equal(str(component(kubernetes, "loki.write")!.blocks[0].attributes.url), "http://loki.voteobs.svc:3100/loki/api/v1/push");
  });
});

describe("stream labels are few and bounded", () => {
  const labelKeep = (blocks: Block[]) => strings(stages(blocks).find((s) => s.name === "stage.label_keep")!.attributes.values);

  it("only the configured labels reach Loki (service, container, level by default)", () => {
    assert.deepEqual(labelKeep(docker), ["service", "container", "level"]);
    assert.deepEqual(labelKeep(kubernetes), ["service", "container", "level"]);
    const fewer = parseAlloy(renderAlloyConfig(devConfig({ loki: { labels: ["service", "stream"] } }), dockerTopology()));
    assert.deepEqual(labelKeep(fewer), ["service", "stream"]);
    assert.ok(!stages(fewer).some((s) => s.name === "stage.labels"), "no level label when it is not configured");
  });

  it("the pod name goes into structured metadata on Kubernetes, never into a label", () => {
    const metadata = stages(kubernetes).find((s) => s.name === "stage.structured_metadata")!;
    assert.deepEqual(Object.keys((metadata.attributes.values as { fields: object }).fields), ["pod"]);
    assert.ok(!labelKeep(kubernetes).includes("pod"));
    assert.ok(!stages(docker).some((s) => s.name === "stage.structured_metadata"));
  });
});

/** One line as each component writes it, and the level label Alloy should give it. */
const SAMPLES: Array<[Component, string, string | undefined]> = [
  ["vote", '{"ts":"2024-06-01T10:00:00.000Z","level":"error","service":"vote","msg":"request failed","route":"/","method":"POST","status":500,"err":"redis timeout"}', "error"],
  ["worker", '{"ts":"2024-06-01T10:00:00.000Z","level":"warn","service":"worker","msg":"batch failed, retrying"}', "warn"],
  ["result", '{"ts":"2024-06-01T10:00:00.000Z","level":"info","service":"result","msg":"listening"}', "info"],
  // Prometheus 3, Alertmanager 0.35 and node_exporter 1.12 log with slog: level in upper case, source= for caller=.
  ["prometheus", 'time=2024-06-01T10:00:00.000Z level=WARN source=notifier.go:1 msg="Error sending alert" component=notifier', "warn"],
  ["alertmanager", 'time=2024-06-01T10:00:00.000Z level=ERROR source=dispatch.go:1 msg="Notify for alerts failed" component=dispatcher', "error"],
  ["grafana", 'logger=context userId=0 orgId=1 t=2024-06-01T10:00:00.00+0000 level=error msg="Request Completed" status=500', "error"],
  ["loki", 'level=info ts=2024-06-01T10:00:00.000Z caller=main.go:1 msg="Loki started"', "info"],
  ["alloy", 'ts=2024-06-01T10:00:00.000Z level=debug msg="finished node evaluation"', "debug"],
  ["postgres-exporter", 'time=2024-06-01T10:00:00.000Z level=ERROR source=collector.go:1 msg="Error opening connection"', "error"],
  ["redis-exporter", 'time="2024-06-01T10:00:00Z" level=info msg="Redis Metrics Exporter 1.88.0"', "info"],
  ["node-exporter", 'time=2024-06-01T10:00:00.000Z level=INFO source=node_exporter.go:1 msg="Starting node_exporter"', "info"],
  ["postgres", "2024-06-01 10:00:00.123 UTC [1] LOG:  database system is ready to accept connections", "info"],
  ["postgres", '2024-06-01 10:00:01.456 UTC [57] FATAL:  password authentication failed for user "postgres"', "fatal"],
  ["postgres", "2024-06-01 10:00:01.456 UTC [57] DETAIL:  Connection matched file line 100", undefined],
  ["redis", "1:M 01 Jun 2024 10:00:00.123 * Ready to accept connections tcp", "info"],
  ["redis", "1:M 01 Jun 2024 10:00:00.123 # WARNING Memory overcommit must be enabled!", "warn"],
  ["cadvisor", "W0601 10:00:00.123456       1 manager.go:123] Could not configure a source for OOM detection", "warn"],
  ["cadvisor", "E0601 10:00:00.123456       1 info.go:1] Failed to get system UUID", "error"],
];

/**
 * Runs the rendered pipeline's level stages on one line: the stage.match whose selector names
 * the service, its parsing stage (JSON, logfmt or the RE2 regex as JS reads it), then the level
 * template's branches as the rendered Go template lists them.
 */
function levelOf(blocks: Block[], service: string, line: string): string | undefined {
  const match = stages(blocks).find((s) => s.name === "stage.match" && new RegExp(`^(${/service=~"([^"]+)"/.exec(str(s.attributes.selector))![1]})$`).test(service));
  assert.ok(match, `no stage.match reads the level of ${service}`);
  const parser = match.blocks[0];
  let raw: string | undefined;
  if (parser.name === "stage.json") raw = JSON.parse(line).level;
  else if (parser.name === "stage.logfmt") raw = /(?:^|\s)level=("?)([^\s"]+)\1/.exec(line)?.[2];
  else raw = new RegExp(str(parser.attributes.expression).replace(/\(\?P</g, "(?<")).exec(line)?.groups?.level;
  if (raw === undefined) return undefined;
  const template = str(stages(blocks).find((s) => s.name === "stage.template")!.attributes.template);
  for (const [, spellings, level] of template.matchAll(/(?:if|else if) eq \$l ((?:"[^"]*" ?)+)\}\}(\w+)/g)) {
    if ((JSON.parse(`[${spellings.trim().split(/" "/).join('","')}]`) as string[]).includes(raw.toLowerCase())) return level;
  }
  return undefined;
}

describe("the level label is read the way each component writes it", () => {
  it("every component is read by exactly one stage.match", () => {
    for (const service of COMPONENTS) {
      const matches = stages(docker).filter((s) => s.name === "stage.match" && new RegExp(`^(${/service=~"([^"]+)"/.exec(str(s.attributes.selector))![1]})$`).test(service));
      assert.equal(matches.length, 1, service);
    }
  });

  for (const [service, line, expected] of SAMPLES) {
    it(`${service}: ${line.slice(0, 60)}… → ${expected ?? "no level"}`, () => {
      assert.equal(levelOf(docker, service, line), expected);
    });
  }

  it("a level outside the five normal ones gives no label rather than a new value", () => {
    assert.equal(levelOf(docker, "vote", '{"level":"shouting","msg":"x"}'), undefined);
  });
});

describe("each log line arrives in Loki once", () => {
  it("without containers the Alloy config reads nothing", () => {
    assert.deepEqual(parseAlloy(renderAlloyConfig(config, localTopology)), []);
  });
});

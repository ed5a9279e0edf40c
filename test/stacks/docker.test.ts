// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { buildGraph, isSecretValue, loadGenerated, loadStack, matchSnapshot, mockSecret, plainStrings, reveal, snapshotOf, type Graph, type Recorded } from "./harness";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { COMPONENTS, type Component } from "../../config/components";
import { PORTS, SCRAPED_SERVICE, SERVICE_LABEL } from "../../render/topology/types";

const CONTAINER = "docker:index/container:Container";
const PUBLISHED: Component[] = ["grafana", "vote", "result"];

type Container = {
  name: string;
  image: string;
  labels: Array<{ label: string; value: string }>;
  networksAdvanced: Array<{ name: string; aliases: string[] }>;
  ports?: Array<{ internal: number; external: number; ip?: string }>;
  healthcheck?: { tests?: string[] };
  restart?: string;
  uploads?: Array<{ file: string; content: unknown }>;
  securityOpts?: string[];
  capabilities?: { drops?: string[] };
  privileged?: boolean;
  memory?: number;
  cpus?: string;
  logDriver?: string;
  command?: string[];
};

const componentOf = (r: Recorded): Component => {
  const label = (reveal<Container>(r.inputs).labels ?? []).find((l) => l.label === SERVICE_LABEL);
  assert.ok(label, `${r.name} has no ${SERVICE_LABEL} label`);
  return label.value as Component;
};
const containers = (graph: Graph) => graph.ofType(CONTAINER).map((r) => ({ record: r, component: componentOf(r), spec: reveal<Container>(r.inputs) }));
const containerOf = (graph: Graph, component: Component) => {
  const found = containers(graph).find((c) => c.component === component);
  assert.ok(found, `no container for ${component}`);
  return found;
};
const uploadsOf = (graph: Graph) =>
  new Map(
    containers(graph).flatMap(({ component, record }) =>
      ((record.inputs.uploads ?? []) as Array<{ file: string; content: unknown }>).map((u) => [`${component}:${u.file}`, { component, file: u.file, content: u.content }] as const),
    ),
  );

describe("docker target (dev stack under Pulumi mocks)", () => {
  let graph: Graph;
  const generated = loadGenerated("dev");

  before(async () => {
    const { config, secrets } = loadStack("dev");
    graph = await buildGraph(config, secrets, "voteobs-dev");
  });

  it("matches the reviewed resource graph snapshot", () => {
    const result = matchSnapshot("dev.yaml", snapshotOf(graph, generated));
    assert.ok(result.ok, result.ok ? "" : result.message);
  });

  it("runs one container per component, each labelled with its service", () => {
    assert.deepEqual(containers(graph).map((c) => c.component).sort(), [...COMPONENTS].sort());
    for (const { component, spec } of containers(graph)) {
      assert.equal(spec.name, `voteobs-dev-${component}`);
      for (const network of spec.networksAdvanced) assert.deepEqual(network.aliases, [component], `${component} on ${network.name}`);
    }
  });

  it("every container runs an image by id, pulled pinned or built from services/Dockerfile", () => {
    const ids = new Set([...graph.ofType("docker:index/remoteImage:RemoteImage").map((r) => r.name), ...graph.ofType("docker:index/image:Image").map((r) => r.name)]);
    assert.equal(ids.size, COMPONENTS.length);
    for (const { component, spec } of containers(graph)) assert.match(spec.image, /^sha256:[0-9a-f]+$/, `${component} must run an image id so a new image replaces it`);
    for (const image of graph.ofType("docker:index/image:Image")) {
      const inputs = reveal<{ imageName: string; skipPush: boolean; build: { dockerfile: string; context: string; args: Record<string, string> } }>(image.inputs);
      assert.equal(inputs.skipPush, true);
      assert.match(inputs.build.dockerfile, /services\/Dockerfile$/);
      assert.match(inputs.build.args.SERVICE, /^(vote|worker|result)$/);
      assert.ok(inputs.imageName.includes(`/${inputs.build.args.SERVICE}:`), `${inputs.imageName} is built with SERVICE=${inputs.build.args.SERVICE}`);
      assert.match(inputs.build.context, /services$/);
    }
    for (const image of graph.ofType("docker:index/remoteImage:RemoteImage")) assert.doesNotMatch(String(image.inputs.name), /:latest$|^[^:@]+$/);
  });

  it("every service is scraped by a job of the uploaded prometheus.yml, at an alias Prometheus can reach", () => {
    const prometheus = containerOf(graph, "prometheus");
    const upload = (prometheus.spec.uploads ?? []).find((u) => u.file.endsWith("/prometheus.yml"));
    assert.ok(upload, "prometheus.yml is uploaded");
    const document = parseYaml(String(upload.content)) as { scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[]; labels: { service: string } }> }> };
    const prometheusNetworks = new Set(prometheus.spec.networksAdvanced.map((n) => n.name));
    const reachable = new Map<string, Component>();
    for (const { component, spec } of containers(graph)) {
      for (const network of spec.networksAdvanced) if (prometheusNetworks.has(network.name)) for (const alias of network.aliases) reachable.set(`${alias}:${PORTS[component]}`, component);
    }
    const scrapedServices = new Set<string>();
    for (const job of document.scrape_configs) {
      for (const sc of job.static_configs ?? []) {
        for (const target of sc.targets) {
          assert.equal(reachable.get(target), job.job_name, `job ${job.job_name}: target ${target} is not a container Prometheus shares a network with`);
          scrapedServices.add(sc.labels.service);
        }
      }
    }
    for (const { component } of containers(graph)) assert.ok(scrapedServices.has(SCRAPED_SERVICE[component]), `${component} (service ${SCRAPED_SERVICE[component]}) is scraped by no job`);
  });

  it("every container has a healthcheck, a restart policy, limits, json-file logs and no new privileges", () => {
    for (const { component, spec } of containers(graph)) {
      assert.ok((spec.healthcheck?.tests ?? []).length > 1 && ["CMD", "CMD-SHELL"].includes(spec.healthcheck!.tests![0]), `${component} healthcheck`);
      assert.ok(["always", "unless-stopped", "on-failure"].includes(spec.restart ?? ""), `${component} restart policy`);
      assert.ok((spec.memory ?? 0) > 0 && Number(spec.cpus) > 0, `${component} limits`);
      assert.equal(spec.logDriver, "json-file", `${component} logs readable by Alloy`);
      assert.ok(spec.securityOpts?.includes("no-new-privileges:true"), `${component} no-new-privileges`);
      assert.deepEqual(spec.capabilities?.drops, ["ALL"], `${component} drops every capability`);
      assert.equal(spec.privileged ?? false, component === "cadvisor", `${component}: only cAdvisor runs privileged`);
    }
  });

  it("cAdvisor keeps the voteobs.service label and redis_exporter checks the votes key", () => {
    assert.ok(containerOf(graph, "cadvisor").spec.command?.includes(`--whitelisted_container_labels=${SERVICE_LABEL}`));
    assert.match(String(containerOf(graph, "cadvisor").spec.image), /^sha256:/);
    assert.ok(containerOf(graph, "redis-exporter").spec.command?.some((arg) => /^--check-single-keys=(.*,)?db0=votes(,|$)/.test(arg)));
  });

  it("publishes only Grafana, vote and result, on 127.0.0.1 by default", () => {
    for (const { component, spec } of containers(graph)) {
      const ports = spec.ports ?? [];
      assert.equal(ports.length > 0, PUBLISHED.includes(component), `${component} published: ${JSON.stringify(ports)}`);
      for (const port of ports) assert.equal(port.ip, "127.0.0.1", `${component} binds ${port.ip}`);
    }
  });

  it("binds 0.0.0.0 only when network.publishAddress says so", async () => {
    const { config, secrets } = loadStack("dev", { network: { publishAddress: "0.0.0.0" } });
    const open = await buildGraph(config, secrets, "voteobs-dev");
    const ips = containers(open).flatMap(({ spec }) => (spec.ports ?? []).map((p) => p.ip));
    assert.equal(ips.length, 3);
    assert.ok(ips.every((ip) => ip === "0.0.0.0"));
  });

  it("every secret reaches the containers only as a secret input, never as plain text", () => {
    const values = [mockSecret("slackWebhookUrl"), mockSecret("smtpPassword"), ...graph.ofType("random:index/randomPassword:RandomPassword").map((r) => `generated-${r.name}`)];
    assert.equal(graph.ofType("random:index/randomPassword:RandomPassword").length, 3, "Grafana admin, Postgres and Redis passwords are generated");
    for (const resource of graph.resources) {
      for (const { path, text } of plainStrings(resource.inputs)) {
        for (const value of values) assert.ok(!text.includes(value), `${resource.type} ${resource.name} ${path} holds a secret in plain text`);
      }
    }
    const secretUploads = [...uploadsOf(graph).values()].filter((u) => u.file.includes("/secrets/"));
    assert.deepEqual(secretUploads.map((u) => `${u.component}:${u.file}`).sort(), [
      "alertmanager:/etc/alertmanager/secrets/email-smtp-password",
      "alertmanager:/etc/alertmanager/secrets/slack-slack-webhook-url",
      "grafana:/etc/grafana/secrets/grafana-admin-password",
      "postgres-exporter:/etc/voteobs/secrets/postgres-password",
      "postgres:/etc/voteobs/secrets/postgres-password",
      "result:/etc/voteobs/secrets/postgres-password",
      "worker:/etc/voteobs/secrets/postgres-password",
    ]);
    for (const upload of secretUploads) assert.ok(isSecretValue(upload.content), `${upload.component}:${upload.file} must be a secret input`);
    assert.equal(reveal(secretUploads.find((u) => u.file.endsWith("slack-slack-webhook-url"))!.content), mockSecret("slackWebhookUrl"));
  });

  it("uploads every file of generated/dev byte for byte, each to its component", async () => {
    const { placeRenderedFiles } = await import("../../stacks/files");
    const expected = placeRenderedFiles(generated).map((f) => `${f.component}:${f.path}`).sort();
    const uploads = [...uploadsOf(graph).values()].filter((u) => !u.file.includes("/secrets/"));
    assert.deepEqual(uploads.map((u) => `${u.component}:${u.file}`).sort(), expected);
    for (const placed of placeRenderedFiles(generated)) {
      const upload = uploadsOf(graph).get(`${placed.component}:${placed.path}`);
      assert.ok(upload && upload.content === placed.content, `${placed.rendered} uploaded byte for byte to ${placed.component}:${placed.path}`);
    }
  });

  it("changing a threshold changes only the uploads of the re-rendered files: the rules file, nothing else of Prometheus", async () => {
    const overlay = { alerts: { voteErrorRatio: { threshold: 0.07 } } };
    const { config, secrets } = loadStack("dev", overlay);
    const changed = await buildGraph(config, secrets, "voteobs-dev");
    const { renderedFilesFor } = await import("../../stacks");
    const { config: baseConfig } = loadStack("dev");
    const before = renderedFilesFor(baseConfig);
    const after = renderedFilesFor(config);
    const rerendered = Object.keys(before).filter((path) => before[path] !== after[path]);
    assert.ok(rerendered.includes("prometheus/rules/user-experience.yml"));
    assert.ok(rerendered.every((path) => path.startsWith("prometheus/rules/") || path.startsWith("grafana/dashboards/")), `a threshold re-renders rules and dashboards only: ${rerendered}`);

    const key = (r: Recorded) => `${r.type}::${r.name}`;
    const old = new Map(graph.resources.map((r) => [key(r), r]));
    assert.deepEqual(changed.resources.map(key).sort(), [...old.keys()].sort(), "same resources");
    const { placeRenderedFiles } = await import("../../stacks/files");
    const placedChanges = placeRenderedFiles(Object.fromEntries(rerendered.map((p) => [p, after[p]])));
    for (const resource of changed.resources) {
      const previous = old.get(key(resource))!;
      const differing = Object.keys({ ...previous.inputs, ...resource.inputs }).filter((k) => JSON.stringify(previous.inputs[k]) !== JSON.stringify(resource.inputs[k]));
      if (differing.length === 0) continue;
      assert.deepEqual(differing, ["uploads"], `${resource.name}: only uploads may change, not ${differing}`);
      const component = componentOf(resource);
      const before = new Map(reveal<Container>(previous.inputs).uploads!.map((u) => [u.file, u.content]));
      const files = reveal<Container>(resource.inputs).uploads!.filter((u) => before.get(u.file) !== u.content).map((u) => u.file);
      assert.deepEqual(files.sort(), placedChanges.filter((p) => p.component === component).map((p) => p.path).sort(), `${component}: the changed uploads are the re-rendered files`);
      if (component === "prometheus") assert.deepEqual(files, ["/etc/prometheus/rules/user-experience.yml"]);
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { durationWords } from "../../alert-rules/i18n";
import { d } from "../../config/duration";
import { TIME_SCALED_PROFILE } from "../../local/profiles";
import { ABSENT_COMPONENTS, LOCAL_COMPONENTS, localTopology, type LocalPorts } from "../../local/topology";
import { join } from "node:path";
import { dockerTopology, renderAll, type Topology } from "../../render";
import { readTree } from "../../tools/render";
import { devConfig, ROOT } from "../support/render";
import { alertRule } from "./support/rules";

const SEED_TITLE = "🚨 Waspada! Tingkat Error Aplikasi Vote Tinggi! 🚨";
const SEED_BODY = "Tingkat error telah melampaui 5% dalam 2 menit terakhir. Kemungkinan ada masalah di service `vote` atau dependensinya. Mohon segera diperiksa.";

const PORTS = Object.fromEntries(LOCAL_COMPONENTS.map((c, i) => [c, 40000 + i])) as LocalPorts;
const STATE = "/var/tmp/voteobs-state";

/** Every address and path of a topology, by what it means, so two topologies can be put side by side. */
function places(topology: Topology): Map<string, string> {
  const out = new Map<string, string>();
  out.set("url:prometheus", topology.urls.prometheus);
  out.set("url:loki", topology.urls.loki);
  topology.urls.alertmanagers.forEach((a, i) => out.set(`url:alertmanager:${i}`, a));
  for (const [key, path] of Object.entries(topology.paths)) out.set(`path:${key}`, path);
  for (const [component, discovery] of Object.entries(topology.scrape)) {
    if (discovery?.kind === "static") discovery.targets.forEach((t, i) => out.set(`target:${component}:${i}`, t));
  }
  return out;
}

/** Replaces, in every string of a parsed document, each place of `from` by the same place of `to`. */
function moveTo(document: unknown, from: Topology, to: Topology): unknown {
  const target = places(to);
  // Longest first, so "/etc/prometheus/rules" is replaced before a shorter prefix could be.
  const pairs = [...places(from)].filter(([key]) => target.has(key)).sort(([, a], [, b]) => b.length - a.length);
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return pairs.reduce((text, [key, address]) => text.split(address).join(`\u0000${key}\u0000`), value).replace(/\u0000([^\u0000]+)\u0000/g, (_m, key: string) => target.get(key)!);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(document);
}

/**
 * The local target renders the same stack as the Docker target: for the dev config, its files
 * differ from generated/dev (rendered with the Docker topology) only in addresses and paths, and
 * in the scrape jobs of the components it does not run.
 */
describe("the local render", () => {
  const config = devConfig();
  const docker = dockerTopology();
  const local = localTopology(PORTS, STATE);
  const dockerFiles = readTree(join(ROOT, "generated/dev"));
  const localFiles = renderAll(config, local);

  it("has the same files as generated/dev", () => {
    assert.deepEqual(Object.keys(localFiles), Object.keys(dockerFiles));
  });

  it("has byte-identical rule files, notification templates and dashboards", () => {
    const same = Object.keys(dockerFiles).filter((p) => /^(prometheus\/rules|alertmanager\/templates|grafana\/dashboards)\//.test(p));
    assert.ok(same.some((p) => p.startsWith("prometheus/rules/")));
    assert.ok(same.some((p) => p.startsWith("alertmanager/templates/")));
    for (const path of same) assert.equal(localFiles[path], dockerFiles[path], path);
    console.log(`  identical: ${same.length} files (${same.join(", ")})`);
  });

  it("prometheus.yml differs only in addresses, paths and the jobs of components that do not run locally", () => {
    const dockerDoc = parse(dockerFiles["prometheus/prometheus.yml"]) as { scrape_configs: Array<{ job_name: string }> };
    const omitted = dockerDoc.scrape_configs.filter((job) => ABSENT_COMPONENTS.includes(job.job_name as never)).map((job) => job.job_name);
    assert.deepEqual(omitted.sort(), [...ABSENT_COMPONENTS].sort());
    dockerDoc.scrape_configs = dockerDoc.scrape_configs.filter((job) => !omitted.includes(job.job_name));
    assert.deepEqual(parse(localFiles["prometheus/prometheus.yml"]), moveTo(dockerDoc, docker, local));
    console.log(`  omitted scrape jobs (no binary on this machine): ${omitted.join(", ")}`);
  });

  it("alertmanager.yml differs only in paths", () => {
    assert.deepEqual(parse(localFiles["alertmanager/alertmanager.yml"]), moveTo(parse(dockerFiles["alertmanager/alertmanager.yml"]), docker, local));
  });

  it("the files of Grafana, Loki and Alloy are not placed locally (their components do not run here)", () => {
    const notPlaced = Object.keys(localFiles).filter((p) => /^(grafana|loki|alloy)\//.test(p) && !p.startsWith("grafana/dashboards/"));
    console.log(`  rendered but not placed by the local target: ${notPlaced.join(", ")}`);
    assert.ok(notPlaced.length > 0);
  });

  it("keeps the seed's words with the real defaults (5%, 2 minutes)", () => {
    const rule = alertRule(localFiles, "VoteHighErrorRate");
    assert.equal(rule.annotations.summary, SEED_TITLE);
    assert.ok(rule.annotations.description.startsWith(`${SEED_BODY}\nNilai saat ini: {{ $value | humanizePercentage }} permintaan gagal (5xx).`), rule.annotations.description);
    assert.equal(rule.for, "2m");
  });

  it("the time-scaled profile changes the window words only, and its rules are the same rules", () => {
    const scaled = renderAll(devConfig(TIME_SCALED_PROFILE), local);
    const rule = alertRule(scaled, "VoteHighErrorRate");
    const words = durationWords(d(TIME_SCALED_PROFILE.alerts.voteErrorRatio.window), "id");
    assert.ok(rule.annotations.description.startsWith(SEED_BODY.replace("2 menit", words)), rule.annotations.description);
    const names = (files: Record<string, string>) => Object.keys(files).filter((p) => p.startsWith("prometheus/rules/"));
    assert.deepEqual(names(scaled), names(localFiles));
  });
});

import { parse as parseYaml } from "yaml";
import type { StackConfig } from "../../config/schema";
import type { RenderedFiles } from "../../render";
import { diffAlertmanager, diffPrometheus } from "./configs";
import { diffDashboards } from "./dashboards";
import type { Item, Section } from "./model";
import { diffRules } from "./rules";
import { fieldChanges, lineDiff } from "./structure";

/** Every rendered artifact of a stack compared, and the config values that changed. */

const SEMANTIC = (path: string) => path.startsWith("prometheus/") || path === "alertmanager/alertmanager.yml" || path.startsWith("grafana/dashboards/");

function diffOtherFiles(base: RenderedFiles, head: RenderedFiles): Section | undefined {
  const items: Item[] = [];
  const paths = [...new Set([...Object.keys(base), ...Object.keys(head)])].filter((p) => !SEMANTIC(p)).sort();
  for (const path of paths) {
    const a = base[path];
    const b = head[path];
    if (a === b) continue;
    if (a === undefined) items.push({ kind: "added", subject: path, details: [] });
    else if (b === undefined) items.push({ kind: "removed", subject: path, details: [] });
    else if (/\.ya?ml$/.test(path)) items.push({ kind: "changed", subject: path, details: fieldChanges(parseYaml(a), parseYaml(b)) });
    else items.push({ kind: "changed", subject: path, details: lineDiff(a, b) });
  }
  return items.length > 0 ? { title: "Other files", items } : undefined;
}

/** The semantic diff of two renders of one stack. */
export function diffRendered(base: RenderedFiles, head: RenderedFiles): Section[] {
  return [...diffRules(base, head), diffAlertmanager(base, head), diffPrometheus(base, head), diffDashboards(base, head), diffOtherFiles(base, head)].filter((s): s is Section => s !== undefined);
}

/** The config values that differ (defaults applied on both sides), as `alerts.voteErrorRatio.threshold: 0.05 → 0.07`. */
export function diffConfigs(base: StackConfig, head: StackConfig): Item[] {
  return fieldChanges(base, head).map((line) => ({ kind: "changed" as const, subject: line, details: [] }));
}

import type { RenderedFiles } from "../../render";
import { keyedList } from "./configs";
import type { Item, Section } from "./model";
import { fieldChanges } from "./structure";

/** Grafana dashboards compared panel by panel. */

type Panel = Record<string, unknown> & { id?: number; title?: string; panels?: Panel[] };

function panelsOf(dashboard: Record<string, unknown>): Map<string, Panel> {
  const all: Panel[] = [];
  const walk = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      const { panels: nested, ...own } = panel;
      all.push(own);
      walk(nested);
    }
  };
  walk(dashboard.panels as Panel[] | undefined);
  return keyedList(all, (p, i) => (p.title ? `"${p.title}"` : `#${p.id ?? i}`));
}

export function diffDashboards(base: RenderedFiles, head: RenderedFiles): Section | undefined {
  const items: Item[] = [];
  const paths = [...new Set([...Object.keys(base), ...Object.keys(head)])].filter((p) => p.startsWith("grafana/dashboards/")).sort();
  for (const path of paths) {
    const parse = (text?: string) => (text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>));
    const a = parse(base[path]);
    const b = parse(head[path]);
    const uid = path.replace(/^grafana\/dashboards\//, "").replace(/\.json$/, "");
    if (!a && b) {
      items.push({ kind: "added", subject: `dashboard ${uid}`, headline: `"${String(b.title)}", ${panelsOf(b).size} panels`, details: [] });
      continue;
    }
    if (a && !b) {
      items.push({ kind: "removed", subject: `dashboard ${uid}`, details: [] });
      continue;
    }
    if (!a || !b || base[path] === head[path]) continue;
    const { panels: _a, ...restA } = a;
    const { panels: _b, ...restB } = b;
    const settings = fieldChanges(restA, restB);
    if (settings.length > 0) items.push({ kind: "changed", subject: `dashboard ${uid}`, headline: "settings", details: settings });
    const pa = panelsOf(a);
    const pb = panelsOf(b);
    for (const key of [...new Set([...pa.keys(), ...pb.keys()])]) {
      const old = pa.get(key);
      const now = pb.get(key);
      if (!old) items.push({ kind: "added", subject: `${uid} › panel ${key}`, details: [] });
      else if (!now) items.push({ kind: "removed", subject: `${uid} › panel ${key}`, details: [] });
      else {
        const details = fieldChanges(old, now);
        if (details.length > 0) items.push({ kind: "changed", subject: `${uid} › panel ${key}`, details });
      }
    }
  }
  return items.length > 0 ? { title: "Dashboards", items } : undefined;
}

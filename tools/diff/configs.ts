import { parse as parseYaml } from "yaml";
import type { RenderedFiles } from "../../render";
import type { Item, Section } from "./model";
import { fieldChanges } from "./structure";

/** Alertmanager and Prometheus configs compared by receiver, route, inhibition and scrape job. */

export function keyedList<T extends Record<string, unknown>>(list: T[] | undefined, key: (item: T, index: number) => string): Map<string, T> {
  const out = new Map<string, T>();
  (list ?? []).forEach((item, index) => {
    let k = key(item, index);
    for (let n = 2; out.has(k); n++) k = `${key(item, index)} #${n}`;
    out.set(k, item);
  });
  return out;
}

function diffKeyed(label: string, a: Map<string, unknown>, b: Map<string, unknown>, where: string): Item[] {
  const items: Item[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])]) {
    const old = a.get(key);
    const now = b.get(key);
    if (old === undefined) items.push({ kind: "added", subject: `${label} ${key}`, where, details: fieldChanges({}, now).map((l) => l.replace(/^\+ /, "")) });
    else if (now === undefined) items.push({ kind: "removed", subject: `${label} ${key}`, where, details: [] });
    else {
      const details = fieldChanges(old, now);
      if (details.length > 0) items.push({ kind: "changed", subject: `${label} ${key}`, where, details });
    }
  }
  return items;
}

function parseYamlFile(files: RenderedFiles, path: string): Record<string, unknown> | undefined {
  const text = files[path];
  return text === undefined ? undefined : ((parseYaml(text) as Record<string, unknown> | null) ?? {});
}

export function diffAlertmanager(base: RenderedFiles, head: RenderedFiles): Section | undefined {
  const path = "alertmanager/alertmanager.yml";
  const a = parseYamlFile(base, path);
  const b = parseYamlFile(head, path);
  if (!a && !b) return undefined;
  type Named = Record<string, unknown> & { name?: string; receiver?: string };
  const receivers = (doc?: Record<string, unknown>) => keyedList((doc?.receivers ?? []) as Named[], (r) => String(r.name));
  const route = (doc?: Record<string, unknown>) => (doc?.route ?? {}) as Record<string, unknown>;
  const routes = (doc?: Record<string, unknown>) => keyedList((route(doc).routes ?? []) as Named[], (r) => `to ${String(r.receiver)}`);
  const rest = (doc?: Record<string, unknown>) => {
    const { receivers: _r, route: _route, ...others } = doc ?? {};
    const { routes: _routes, ...root } = route(doc);
    return { ...others, route: root };
  };
  const items = [
    ...diffKeyed("receiver", receivers(a), receivers(b), path),
    ...diffKeyed("route", routes(a), routes(b), path),
  ];
  const others = fieldChanges(rest(a), rest(b));
  if (others.length > 0) items.push({ kind: "changed", subject: "routing and global settings", where: path, details: others });
  return items.length > 0 ? { title: "Alertmanager", items } : undefined;
}

export function diffPrometheus(base: RenderedFiles, head: RenderedFiles): Section | undefined {
  const path = "prometheus/prometheus.yml";
  const a = parseYamlFile(base, path);
  const b = parseYamlFile(head, path);
  if (!a && !b) return undefined;
  const jobs = (doc?: Record<string, unknown>) => keyedList((doc?.scrape_configs ?? []) as Array<Record<string, unknown>>, (j) => String(j.job_name));
  const rest = (doc?: Record<string, unknown>) => {
    const { scrape_configs: _jobs, ...others } = doc ?? {};
    return others;
  };
  const items = diffKeyed("job", jobs(a), jobs(b), path);
  const others = fieldChanges(rest(a), rest(b));
  if (others.length > 0) items.push({ kind: "changed", subject: "global settings, rule files and Alertmanagers", where: path, details: others });
  return items.length > 0 ? { title: "Prometheus scrape jobs", items } : undefined;
}

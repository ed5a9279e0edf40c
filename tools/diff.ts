import { Command } from "commander";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadStackFile } from "../config/load";
import type { StackConfig } from "../config/schema";
import { renderAll, topologyFor, type RenderedFiles } from "../render";
import { runMain } from "../config/errors";
import { ROOT, stackNames } from "./stacks";

/**
 * `npm run diff`: what a change does to the deployed artifacts, in words. Compares the fresh
 * render of the working tree with the committed `generated/<stack>/` of a git ref and reports,
 * per stack: the config values that changed, then which alert changed and how (threshold, window,
 * `for`, labels, annotations), which recording rule, receiver, route, scrape job, dashboard panel.
 * Usable offline (`npm run diff`) and as a pull-request comment (`--markdown`).
 */

// ---------------------------------------------------------------------------------------------
// Model

export type ChangeKind = "added" | "removed" | "changed";

export interface Item {
  kind: ChangeKind;
  /** What changed, e.g. "VoteHighErrorRate". */
  subject: string;
  /** Where it lives, e.g. "prometheus/rules/user-experience.yml". */
  where?: string;
  /** One-line summary after the subject, e.g. "threshold 0.05 → 0.07". */
  headline?: string;
  /** Further lines, each a readable change ("for: 2m → 5m"). */
  details: string[];
  /** Multi-line before/after (an expression that changed beyond its numbers). */
  block?: { before?: string; after?: string };
}

export interface Section {
  title: string;
  items: Item[];
}

export interface StackDiff {
  stack: string;
  /** "new" or "removed" when the stack exists on one side only. */
  status: "changed" | "unchanged" | "new" | "removed";
  config: Item[];
  sections: Section[];
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Small text helpers

const ARROW = "→";

function scalar(value: unknown): string {
  // Plain unless it would be ambiguous (empty, padded, multi-line, or holding a list separator).
  if (typeof value === "string") return /^[^\s,[\]{}](?:[^\n,]*[^\s,])?$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalarList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.every((v) => !isObject(v) && !Array.isArray(v));
}

/** How an element of a list is recognised on both sides: its name, job, receiver or title. */
function identity(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  for (const key of ["name", "job_name", "receiver", "title", "uid"]) {
    const id = value[key];
    if (typeof id === "string" && id.length <= 60 && !id.includes("{{")) return `${key}=${id}`;
  }
  return undefined;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return isScalarList(value) ? `[${value.map(scalar).join(", ")}]` : `[${value.length} items]`;
  if (isObject(value)) {
    const id = identity(value);
    if (id !== undefined) return `{${id}, …}`;
    const keys = Object.keys(value);
    return keys.length === 0 ? "{}" : `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}}`;
  }
  return scalar(value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The part of two texts that differs, widened to whole words, with a little context:
 * `…melampaui {5% → 7%} dalam…`.
 */
export function inlineChange(before: string, after: string, context = 24): string {
  if (before.length + after.length < 70 && !before.includes("\n") && !after.includes("\n")) return `${scalar(before)} ${ARROW} ${scalar(after)}`;
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  while (prefix > 0 && !/\s/.test(before[prefix - 1])) prefix--;
  while (suffix > 0 && !/\s/.test(before[before.length - suffix])) suffix--;
  const oneLine = (text: string) => text.replace(/\n/g, "⏎");
  const left = before.slice(Math.max(0, prefix - context), prefix);
  const right = before.slice(before.length - suffix, before.length - suffix + context);
  const oldMid = before.slice(prefix, before.length - suffix);
  const newMid = after.slice(prefix, after.length - suffix);
  return `${prefix > context ? "…" : ""}${oneLine(left)}{${oneLine(oldMid) || "∅"} ${ARROW} ${oneLine(newMid) || "∅"}}${oneLine(right)}${suffix > context ? "…" : ""}`;
}


/**
 * What differs between two values, one readable line per change: `path: old → new`, `+ path: new`,
 * `- path: old`. Lists of objects are matched by name (receivers, jobs, panels), others by
 * position; an object added or removed as a whole is one line.
 */
export function fieldChanges(before: unknown, after: unknown, path = ""): string[] {
  if (same(before, after)) return [];
  const at = path || "(value)";
  if (before === undefined) return [`+ ${at}: ${show(after)}`];
  if (after === undefined) return [`- ${at}: ${show(before)}`];
  if (isObject(before) && isObject(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((key) => fieldChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after) && !(isScalarList(before) && isScalarList(after))) {
    const ids = [...before, ...after].map(identity);
    if (ids.every((id) => id !== undefined) && new Set(before.map(identity)).size === before.length && new Set(after.map(identity)).size === after.length) {
      const a = new Map(before.map((v) => [identity(v)!, v]));
      const b = new Map(after.map((v) => [identity(v)!, v]));
      return [...new Set([...a.keys(), ...b.keys()])].flatMap((id) => fieldChanges(a.get(id), b.get(id), `${path}[${id}]`));
    }
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => fieldChanges(before[i], after[i], `${path}[${i}]`)).flat();
  }
  if (typeof before === "string" && typeof after === "string") return [`${at}: ${inlineChange(before, after)}`];
  return [`${at}: ${show(before)} ${ARROW} ${show(after)}`];
}

/** A line diff of two texts (longest common subsequence), as "- old" / "+ new" lines. */
export function lineDiff(before: string, after: string, limit = 40): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.length > limit ? [...out.slice(0, limit), `… ${out.length - limit} more changed lines`] : out;
}

// ---------------------------------------------------------------------------------------------
// PromQL expressions: which numbers changed

/** Numbers and durations of an expression that stand alone (not inside a name such as ratio_rate5m). */
const VALUE = /(?<![A-Za-z_0-9.:])(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*)?)(?![A-Za-z_0-9.])/g;

interface ValueToken {
  value: string;
  role: "threshold" | "window" | "value";
}

function valueTokens(expr: string): { skeleton: string; values: ValueToken[] } {
  const values: ValueToken[] = [];
  const skeleton = expr.replace(VALUE, (match, _value, offset: number) => {
    const before = expr.slice(0, offset).trimEnd();
    const role = /(>=|<=|==|!=|>|<)(\s*bool)?$/.test(before) ? "threshold" : /\[$/.test(before) || /offset$/.test(before) ? "window" : "value";
    values.push({ value: match, role });
    return "\u0000";
  });
  return { skeleton, values };
}

/** "threshold 0.05 → 0.07" when only numbers and durations changed; undefined otherwise. */
export function exprValueChanges(before: string, after: string): string[] | undefined {
  const a = valueTokens(before);
  const b = valueTokens(after);
  if (a.skeleton.replace(/\s+/g, " ") !== b.skeleton.replace(/\s+/g, " ") || a.values.length !== b.values.length) return undefined;
  const changes: string[] = [];
  a.values.forEach((token, i) => {
    const now = b.values[i].value;
    const line = `${token.role} ${token.value} ${ARROW} ${now}`;
    if (token.value !== now && !changes.includes(line)) changes.push(line);
  });
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Prometheus rule files

interface Rule {
  kind: "alert" | "record";
  name: string;
  group: string;
  file: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function rulesOf(files: RenderedFiles): Rule[] {
  const rules: Rule[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (!path.startsWith("prometheus/rules/")) continue;
    const document = parseYaml(text) as { groups?: Array<{ name: string; rules: Array<Record<string, unknown>> }> } | null;
    for (const group of document?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        const isAlert = typeof rule.alert === "string";
        rules.push({
          kind: isAlert ? "alert" : "record",
          name: String(isAlert ? rule.alert : rule.record),
          group: group.name,
          file: path,
          expr: String(rule.expr ?? "").trim(),
          for: rule.for === undefined ? undefined : String(rule.for),
          labels: (rule.labels ?? {}) as Record<string, string>,
          annotations: (rule.annotations ?? {}) as Record<string, string>,
        });
      }
    }
  }
  return rules;
}

/**
 * Identity of a rule across the two sides: its name, plus the labels that tell apart rules of
 * the same name (VoteErrorBudgetBurn{severity="critical"}, the per-service limit records).
 */
function ruleKeys(all: Rule[]): (rule: Rule) => string {
  const byName = new Map<string, Rule[]>();
  for (const rule of all) byName.set(`${rule.kind}:${rule.name}`, [...(byName.get(`${rule.kind}:${rule.name}`) ?? []), rule]);
  const distinguishing = new Map<string, string[]>();
  for (const [name, rules] of byName) {
    const keys = [...new Set(rules.flatMap((r) => Object.keys(r.labels)))].filter((k) => new Set(rules.map((r) => r.labels[k])).size > 1).sort();
    distinguishing.set(name, keys);
  }
  return (rule) => {
    const keys = distinguishing.get(`${rule.kind}:${rule.name}`) ?? [];
    return keys.length === 0 ? rule.name : `${rule.name}{${keys.map((k) => `${k}=${JSON.stringify(rule.labels[k] ?? "")}`).join(",")}}`;
  };
}

function diffRules(base: RenderedFiles, head: RenderedFiles): Section[] {
  const before = rulesOf(base);
  const after = rulesOf(head);
  const keyOf = ruleKeys([...before, ...after]);
  const sections: Section[] = [];
  for (const kind of ["alert", "record"] as const) {
    const a = new Map(before.filter((r) => r.kind === kind).map((r) => [keyOf(r), r]));
    const b = new Map(after.filter((r) => r.kind === kind).map((r) => [keyOf(r), r]));
    const items: Item[] = [];
    for (const key of [...new Set([...a.keys(), ...b.keys()])]) {
      const old = a.get(key);
      const now = b.get(key);
      const short = (rule: Rule) => rule.file.replace(/^prometheus\/rules\//, "");
      if (!old && now) {
        items.push({ kind: "added", subject: key, where: short(now), headline: now.for ? `for ${now.for}` : undefined, details: [], block: { after: now.expr } });
      } else if (old && !now) {
        items.push({ kind: "removed", subject: key, where: short(old), details: [] });
      } else if (old && now) {
        const details: string[] = [];
        let headline: string | undefined;
        let block: Item["block"];
        if (old.expr !== now.expr) {
          const values = exprValueChanges(old.expr, now.expr);
          if (values && values.length > 0) headline = values.join("; ");
          else block = { before: old.expr, after: now.expr };
        }
        if (old.for !== now.for) details.push(`for: ${old.for ?? "none"} ${ARROW} ${now.for ?? "none"}`);
        if (old.file !== now.file || old.group !== now.group) details.push(`moved: ${short(old)} (${old.group}) ${ARROW} ${short(now)} (${now.group})`);
        details.push(...fieldChanges(old.labels, now.labels, "labels"), ...fieldChanges(old.annotations, now.annotations, "annotations"));
        if (headline === undefined && details.length > 0 && block === undefined && old.for !== now.for) headline = details.shift();
        if (headline !== undefined || details.length > 0 || block) items.push({ kind: "changed", subject: key, where: short(now), headline, details, block });
      }
    }
    if (items.length > 0) sections.push({ title: kind === "alert" ? "Alerts" : "Recording rules", items });
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// Alertmanager and Prometheus configs

function keyedList<T extends Record<string, unknown>>(list: T[] | undefined, key: (item: T, index: number) => string): Map<string, T> {
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

function diffAlertmanager(base: RenderedFiles, head: RenderedFiles): Section | undefined {
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

function diffPrometheus(base: RenderedFiles, head: RenderedFiles): Section | undefined {
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

// ---------------------------------------------------------------------------------------------
// Dashboards

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

function diffDashboards(base: RenderedFiles, head: RenderedFiles): Section | undefined {
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

// ---------------------------------------------------------------------------------------------
// Everything else

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

// ---------------------------------------------------------------------------------------------
// Git

function git(root: string, args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** origin/main when it exists, HEAD otherwise. */
export function defaultRef(root: string): string {
  try {
    git(root, ["rev-parse", "--verify", "--quiet", "origin/main^{commit}"]);
    return "origin/main";
  } catch {
    return "HEAD";
  }
}

/** The committed generated/<stack>/ of a ref, keyed by path inside it. */
export function renderedAtRef(root: string, ref: string, stack: string): RenderedFiles | undefined {
  const prefix = `generated/${stack}/`;
  const listing = git(root, ["ls-tree", "-r", "--name-only", ref, "--", prefix]).split("\n").filter(Boolean);
  if (listing.length === 0) return undefined;
  return Object.fromEntries(listing.map((path) => [path.slice(prefix.length), git(root, ["show", `${ref}:${path}`])]));
}

function stackFileAtRef(root: string, ref: string, stack: string): string | undefined {
  try {
    return git(root, ["show", `${ref}:Pulumi.${stack}.yaml`]);
  } catch {
    return undefined;
  }
}

function stacksAtRef(root: string, ref: string): string[] {
  return git(root, ["ls-tree", "--name-only", ref])
    .split("\n")
    .flatMap((file) => {
      const match = /^Pulumi\.([A-Za-z0-9_-]+)\.yaml$/.exec(file);
      return match ? [match[1]] : [];
    });
}

function loadConfigText(text: string): StackConfig {
  const dir = mkdtempSync(join(tmpdir(), "voteobs-diff-"));
  try {
    const path = join(dir, "Pulumi.yaml");
    writeFileSync(path, text);
    return loadStackFile(path).config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface DiffOptions {
  /** Repository root. Defaults to this repository. */
  root?: string;
  /** Git ref to compare with. Defaults to origin/main, or HEAD without a remote. */
  ref?: string;
  /** Stacks to compare. Defaults to every stack of either side. */
  stacks?: string[];
}

/** Compares the working tree's render of each stack with generated/<stack>/ at the ref. */
export function diffStacks(options: DiffOptions = {}): { ref: string; stacks: StackDiff[] } {
  const root = options.root ?? ROOT;
  const ref = options.ref ?? defaultRef(root);
  git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  const names = options.stacks ?? [...new Set([...stackNames(root), ...stacksAtRef(root, ref)])].sort();
  const stacks = names.map((stack): StackDiff => {
    const path = join(root, `Pulumi.${stack}.yaml`);
    const base = renderedAtRef(root, ref, stack);
    if (!existsSync(path)) return { stack, status: "removed", config: [], sections: [], notes: [`Pulumi.${stack}.yaml was removed`] };
    const headConfig = loadStackFile(path).config;
    const head = renderAll(headConfig, topologyFor(headConfig, stack));
    if (!base) return { stack, status: "new", config: [], sections: [], notes: [`new stack: ${Object.keys(head).length} files rendered (target ${headConfig.target})`] };
    const notes: string[] = [];
    let config: Item[] = [];
    const baseText = stackFileAtRef(root, ref, stack);
    if (baseText !== undefined) {
      try {
        config = diffConfigs(loadConfigText(baseText), headConfig);
      } catch (error) {
        notes.push(`Pulumi.${stack}.yaml at ${ref} does not load with the current schema (${(error as Error).message.split("\n")[0]}); only the rendered files are compared`);
      }
    }
    const sections = diffRendered(base, head);
    return { stack, status: sections.length > 0 || config.length > 0 ? "changed" : "unchanged", config, sections, notes };
  });
  return { ref, stacks };
}

// ---------------------------------------------------------------------------------------------
// Output

const MARK: Record<ChangeKind, string> = { added: "+", removed: "-", changed: "~" };

/** What one item of each section is called, for the summary line. */
const NOUNS: Record<string, string> = {
  Alerts: "alert",
  "Recording rules": "recording rule",
  Alertmanager: "Alertmanager change",
  "Prometheus scrape jobs": "scrape config change",
  Dashboards: "dashboard change",
  "Other files": "other file",
};

function counts(diff: StackDiff): string {
  const parts = diff.sections.map((s) => `${s.items.length} ${NOUNS[s.title] ?? s.title}${s.items.length === 1 ? "" : "s"}`);
  return parts.length > 0 ? parts.join(", ") : "no rendered file changes";
}

export function formatText(result: { ref: string; stacks: StackDiff[] }): string {
  const lines: string[] = [];
  for (const diff of result.stacks) {
    if (diff.status === "unchanged") {
      lines.push(`Stack ${diff.stack}: no changes against ${result.ref}`);
      continue;
    }
    lines.push(`Stack ${diff.stack} (Pulumi.${diff.stack}.yaml) against ${result.ref}: ${diff.status === "changed" ? counts(diff) : diff.status}`);
    for (const note of diff.notes) lines.push(`  note: ${note}`);
    if (diff.config.length > 0) {
      lines.push("  Config");
      for (const item of diff.config) lines.push(`    ${item.subject}`);
    }
    for (const section of diff.sections) {
      lines.push(`  ${section.title}`);
      for (const item of section.items) {
        lines.push(`    ${MARK[item.kind]} ${item.subject}${item.headline ? `: ${item.headline}` : ""}${item.where ? `  (${item.where})` : ""}`);
        for (const detail of item.details) lines.push(`        ${detail}`);
        if (item.block?.before !== undefined) for (const l of item.block.before.split("\n")) lines.push(`        - ${l}`);
        if (item.block?.after !== undefined) for (const l of item.block.after.split("\n")) lines.push(`        + ${l}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

const code = (text: string) => `\`${text.replace(/`/g, "ˋ")}\``;

export function formatMarkdown(result: { ref: string; stacks: StackDiff[] }): string {
  const out: string[] = ["<!-- voteobs-diff -->", `### Rendered artifacts against \`${result.ref}\``, ""];
  for (const diff of result.stacks) {
    if (diff.status === "unchanged") {
      out.push(`**${diff.stack}**: no changes.`, "");
      continue;
    }
    out.push(`#### Stack \`${diff.stack}\` — ${diff.status === "changed" ? counts(diff) : diff.status}`, "");
    for (const note of diff.notes) out.push(`> ${note}`, "");
    if (diff.config.length > 0) {
      out.push("**Config**", "");
      for (const item of diff.config) out.push(`- ${code(item.subject)}`);
      out.push("");
    }
    for (const section of diff.sections) {
      out.push(`**${section.title}**`, "");
      for (const item of section.items) {
        out.push(`- ${item.kind === "changed" ? "changed" : item.kind}: ${code(item.subject)}${item.headline ? ` — ${code(item.headline)}` : ""}${item.where ? ` in ${code(item.where)}` : ""}`);
        for (const detail of item.details) out.push(`  - ${code(detail)}`);
        if (item.block) {
          out.push("", "  ```diff");
          for (const l of item.block.before?.split("\n") ?? []) out.push(`  - ${l}`);
          for (const l of item.block.after?.split("\n") ?? []) out.push(`  + ${l}`);
          out.push("  ```", "");
        }
      }
      out.push("");
    }
  }
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

if (require.main === module) {
  const program = new Command("diff")
    .description("Readable diff of the rendered artifacts (alerts, routes, scrape jobs, dashboards) between the working tree and a git ref")
    .option("--ref <ref>", "git ref to compare with (default: origin/main, or HEAD without a remote)")
    .option("--stack <name...>", "only these stacks (default: every Pulumi.<stack>.yaml)")
    .option("--markdown", "print Markdown for a pull-request comment")
    .option("--exit-code", "exit 1 when something changed")
    .parse();
  const options = program.opts<{ ref?: string; stack?: string[]; markdown?: boolean; exitCode?: boolean }>();
  runMain(() => {
    const result = diffStacks({ ref: options.ref, stacks: options.stack });
    process.stdout.write(options.markdown ? formatMarkdown(result) : formatText(result));
    return options.exitCode && result.stacks.some((s) => s.status !== "unchanged") ? 1 : 0;
  });
}

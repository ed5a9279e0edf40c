import { parse } from "yaml";
import type { RenderedFiles } from "../../../render";

export interface RenderedRule {
  file: string;
  group: string;
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Every rule of the rendered rule files, as Prometheus loads them. */
export function renderedRules(files: RenderedFiles): RenderedRule[] {
  return Object.entries(files)
    .filter(([path]) => path.startsWith("prometheus/rules/"))
    .flatMap(([path, text]) =>
      (parse(text) as { groups: Array<{ name: string; rules: Array<Partial<RenderedRule> & { expr: string }> }> }).groups.flatMap((group) =>
        group.rules.map((rule) => ({ labels: {}, annotations: {}, ...rule, file: path, group: group.name })),
      ),
    );
}

/** One alert rule by name (the first, for names shared by two severities). */
export function alertRule(files: RenderedFiles, name: string): RenderedRule {
  const rule = renderedRules(files).find((r) => r.alert === name);
  if (rule === undefined) throw new Error(`no rendered alert ${name}`);
  return rule;
}

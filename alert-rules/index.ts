import { ConfigError, at, closest } from "../config/errors";
import type { StackConfig } from "../config/schema";
import { alertContext } from "./build";
import { infrastructureRules } from "./infrastructure";
import { internalHealthRules } from "./internal-health";
import { metaRules } from "./meta";
import { sloRules } from "./slo";
import { isAlert, type AlertRule, type RuleFile } from "./types";
import { userExperienceRules } from "./user-experience";

export * from "./condition";
export * from "./inhibitions";
export * from "./types";
export { alertContext } from "./build";

/** Every rule file, one per area, every alert included. */
function allRuleFiles(config: StackConfig): RuleFile[] {
  const ctx = alertContext(config);
  return [userExperienceRules(config.alerts, ctx), sloRules(config.alerts, ctx), internalHealthRules(config.alerts, ctx), infrastructureRules(config, ctx), metaRules(config.alerts, ctx)];
}

/** Every rule file, one per area, with the alerts named in `alerts.disabled` left out. */
export function buildRuleFiles(config: StackConfig): RuleFile[] {
  const files = allRuleFiles(config);
  const disabled = new Set(config.alerts.disabled);
  checkDisabledNames(disabled, files);
  return files.map((file) => ({
    ...file,
    groups: file.groups.map((group) => ({ ...group, rules: group.rules.filter((rule) => !(isAlert(rule) && disabled.has(rule.alert))) })),
  }));
}

/** Every alert rule of every file, in file order. */
export function allAlerts(files: readonly RuleFile[]): AlertRule[] {
  return files.flatMap((file) => file.groups.flatMap((group) => group.rules.filter(isAlert)));
}

/**
 * One alert's definition (labels, annotations and its structured condition), disabled or not: what
 * a dashboard light or `npm run status` needs to follow it. For a name shared by several rules
 * (VoteErrorBudgetBurn), the first whose labels include `labels`.
 */
export function alertDefinition(config: StackConfig, name: string, labels: Record<string, string> = {}): AlertRule {
  const found = allAlerts(allRuleFiles(config)).find((a) => a.alert === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
  if (found === undefined) throw new Error(`no alert ${name}${Object.keys(labels).length ? ` with ${JSON.stringify(labels)}` : ""}`);
  return found;
}

const UNDISABLEABLE = new Set(["Watchdog", "InfoInhibitor"]);

function checkDisabledNames(disabled: Set<string>, files: RuleFile[]): void {
  const names = [...new Set(allAlerts(files).map((a) => a.alert))];
  const problems: string[] = [];
  for (const name of disabled) {
    if (UNDISABLEABLE.has(name)) {
      problems.push(`${at("alerts.disabled")}: "${name}" keeps the alerting pipeline honest and cannot be disabled`);
    } else if (!names.includes(name)) {
      const guess = closest(name, names);
      problems.push(`${at("alerts.disabled")}: unknown alert "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}; alerts are: ${names.filter((n) => !UNDISABLEABLE.has(n)).join(", ")}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

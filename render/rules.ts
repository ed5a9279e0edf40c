import { isAlert, type RuleFile } from "../alert-rules/types";
import { sorted, yamlFile } from "./text";

/** One Prometheus rule file: groups in order, each rule in the conventional key order. */
export function renderRuleFile(file: RuleFile): string {
  return yamlFile({
    groups: file.groups.map((group) => ({
      name: group.name,
      ...(group.interval ? { interval: group.interval } : {}),
      rules: group.rules.map((rule) =>
        isAlert(rule)
          ? {
              alert: rule.alert,
              expr: rule.expr,
              ...(rule.for ? { for: rule.for } : {}),
              labels: sorted(rule.labels),
              annotations: sorted(rule.annotations),
            }
          : { record: rule.record, expr: rule.expr, ...(rule.labels ? { labels: sorted(rule.labels) } : {}) },
      ),
    })),
  });
}

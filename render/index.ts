import { buildRuleFiles } from "../alert-rules";
import type { StackConfig } from "../config/schema";
import { buildDashboards } from "../dashboards";
import { renderAlertmanagerConfig, TEMPLATE_FILE } from "./alertmanager";
import { renderAlloyConfig } from "./alloy";
import { renderGrafanaDashboardProvider, renderGrafanaDatasources, renderGrafanaIni } from "./grafana";
import { renderLokiConfig } from "./loki";
import { renderNotificationTemplate } from "./notification-template";
import { renderPrometheusConfig } from "./prometheus";
import { renderRuleFile } from "./rules";
import type { Topology } from "./topology/types";

export * from "./topology";
export { TEMPLATE_FILE, DEADMANS_RECEIVER, BLACKHOLE_RECEIVER } from "./alertmanager";

/** Every rendered file of one stack, keyed by its path under generated/<stack>/, in sorted order. */
export type RenderedFiles = Record<string, string>;

/**
 * The whole render of a stack: pure, deterministic (same input, same bytes). Targets only place
 * these texts; nothing else writes Prometheus, Alertmanager, Loki, Alloy or Grafana config.
 */
export function renderAll(config: StackConfig, topology: Topology): RenderedFiles {
  const ruleFiles = buildRuleFiles(config);
  const files: RenderedFiles = {
    "prometheus/prometheus.yml": renderPrometheusConfig(config, topology, ruleFiles.map((f) => f.name)),
    "alertmanager/alertmanager.yml": renderAlertmanagerConfig(config, topology),
    [`alertmanager/templates/${TEMPLATE_FILE}`]: renderNotificationTemplate(config.alerting.language),
    "loki/loki.yaml": renderLokiConfig(config, topology),
    "alloy/config.alloy": renderAlloyConfig(config, topology),
    "grafana/grafana.ini": renderGrafanaIni(config, topology),
    "grafana/provisioning/datasources/voteobs.yaml": renderGrafanaDatasources(config, topology),
    "grafana/provisioning/dashboards/voteobs.yaml": renderGrafanaDashboardProvider(topology),
  };
  for (const file of ruleFiles) files[`prometheus/rules/${file.name}.yml`] = renderRuleFile(file);
  for (const dashboard of buildDashboards(config)) files[`grafana/dashboards/${dashboard.uid}.json`] = `${JSON.stringify(dashboard.json, null, 2)}\n`;
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Files of one component's folder (e.g. "prometheus/rules/"), keyed by their name within it. */
export function filesUnder(files: RenderedFiles, folder: string): Record<string, string> {
  const prefix = folder.endsWith("/") ? folder : `${folder}/`;
  return Object.fromEntries(Object.entries(files).flatMap(([path, text]) => (path.startsWith(prefix) ? [[path.slice(prefix.length), text]] : [])));
}

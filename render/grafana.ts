import type { StackConfig } from "../config/schema";
import { GRAFANA_ADMIN_PASSWORD_FILE } from "../config/secrets";
import { DASHBOARD_UIDS, DATASOURCE_NAMES, DATASOURCE_UIDS } from "../queries/links";
import { header, yamlFile } from "./text";
import type { Topology } from "./topology/types";

/** Datasources with fixed uids, so dashboards and alert links can name them. */
export function renderGrafanaDatasources(config: StackConfig, topology: Topology): string {
  return yamlFile({
    apiVersion: 1,
    prune: true,
    datasources: [
      {
        name: DATASOURCE_NAMES.prometheus,
        uid: DATASOURCE_UIDS.prometheus,
        type: "prometheus",
        access: "proxy",
        url: config.grafana.metricsQueryUrl ?? topology.urls.prometheus,
        isDefault: true,
        editable: false,
        jsonData: { httpMethod: "POST", timeInterval: config.prometheus.scrapeInterval, ...prometheusFlavour(config) },
      },
      {
        name: DATASOURCE_NAMES.loki,
        uid: DATASOURCE_UIDS.loki,
        type: "loki",
        access: "proxy",
        url: topology.urls.loki,
        editable: false,
        // Loki runs without its ruler (render/loki.ts): Grafana's alerting views must not ask it for rules.
        jsonData: { maxLines: 1000, manageAlerts: false },
      },
      {
        name: DATASOURCE_NAMES.alertmanager,
        uid: DATASOURCE_UIDS.alertmanager,
        type: "alertmanager",
        access: "proxy",
        url: topology.urls.alertmanager ?? `http://${topology.urls.alertmanagers[0]}`,
        editable: false,
        jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
      },
    ],
  });
}

/**
 * What Grafana is told about the server behind the datasource: our Prometheus and its version, or
 * nothing when it queries a long-term store (whose kind and version are not ours to claim).
 */
function prometheusFlavour(config: StackConfig): { prometheusType?: string; prometheusVersion?: string } {
  return config.grafana.metricsQueryUrl === undefined ? { prometheusType: "Prometheus", ...versionOf(config.images.prometheus) } : {};
}

/** Grafana picks the query features a Prometheus supports by its version (from a "vX.Y.Z" tag). */
function versionOf(image: string): { prometheusVersion?: string } {
  const match = /:v?(\d+\.\d+\.\d+)(@|$)/.exec(image);
  return match ? { prometheusVersion: match[1] } : {};
}

/** The dashboards provider: every JSON file of the dashboards folder, not editable in the UI. */
export function renderGrafanaDashboardProvider(topology: Topology): string {
  return yamlFile({
    apiVersion: 1,
    providers: [
      {
        name: "voteobs",
        orgId: 1,
        folder: "voteobs",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: topology.paths.grafanaDashboards, foldersFromFilesStructure: false },
      },
    ],
  });
}

/**
 * grafana.ini: admin from config (its password read from a secret file; Grafana applies it when it
 * creates its database, later changes go through the UI or grafana-cli), Overview as home,
 * anonymous viewing only when config allows it, no telemetry.
 */
export function renderGrafanaIni(config: StackConfig, topology: Topology): string {
  const g = config.grafana;
  return `${header(";")}
[server]
root_url = ${g.externalUrl}

[security]
admin_user = ${g.adminUser}
admin_password = $__file{${topology.paths.grafanaSecrets}/${GRAFANA_ADMIN_PASSWORD_FILE}}
disable_gravatar = true
cookie_secure = ${g.externalUrl.startsWith("https://")}

[auth.anonymous]
enabled = ${g.anonymousViewer}
org_role = Viewer

[users]
allow_sign_up = false

[dashboards]
default_home_dashboard_path = ${topology.paths.grafanaDashboards}/${DASHBOARD_UIDS.overview}.json

[analytics]
reporting_enabled = false
check_for_updates = false
check_for_plugin_updates = false

[log]
mode = console
`;
}

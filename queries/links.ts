/**
 * Stable Grafana identifiers and the URLs built from them. Alerts link here, dashboards are
 * created with these uids and the provisioning gives datasources these uids, so a link in a
 * Slack message always opens the right thing.
 */

export const DASHBOARD_UIDS = {
  overview: "voteobs-overview",
  userExperience: "voteobs-user-experience",
  internalHealth: "voteobs-internal-health",
  infrastructure: "voteobs-infrastructure",
  logs: "voteobs-logs",
} as const;
export type DashboardKey = keyof typeof DASHBOARD_UIDS;

export const DATASOURCE_UIDS = {
  prometheus: "voteobs-prometheus",
  loki: "voteobs-loki",
  alertmanager: "voteobs-alertmanager",
} as const;

/**
 * The datasources' names. Grafana's Alerting UI selects an external Alertmanager by the
 * datasource's name (`?alertmanager=<name>`), not by its uid.
 */
export const DATASOURCE_NAMES = {
  prometheus: "Prometheus",
  loki: "Loki",
  alertmanager: "Alertmanager",
} as const;

/** Grafana's Alerting → Groups page showing our Alertmanager's alert groups. */
export function alertmanagerGroupsUrl(grafanaUrl: string): string {
  return `${trimSlash(grafanaUrl)}/alerting/groups?${new URLSearchParams({ alertmanager: DATASOURCE_NAMES.alertmanager }).toString()}`;
}

/** `https://grafana/d/<uid>?var-service=vote` (time range is added by the notification template). */
export function dashboardUrl(grafanaUrl: string, dashboard: DashboardKey, variables: Record<string, string> = {}): string {
  const query = new URLSearchParams({ orgId: "1", ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [`var-${k}`, v])) });
  return `${trimSlash(grafanaUrl)}/d/${DASHBOARD_UIDS[dashboard]}?${query.toString()}`;
}

/** Time range Explore opens with; notification templates replace it with the alert's own. */
export const EXPLORE_DEFAULT_FROM = "now-1h";
export const EXPLORE_DEFAULT_TO = "now";

/** Grafana Explore on Loki with `logql`, last hour. */
export function exploreLogsUrl(grafanaUrl: string, logql: string): string {
  const panes = {
    a: {
      datasource: DATASOURCE_UIDS.loki,
      queries: [{ refId: "A", expr: logql, datasource: { type: "loki", uid: DATASOURCE_UIDS.loki } }],
      range: { from: EXPLORE_DEFAULT_FROM, to: EXPLORE_DEFAULT_TO },
    },
  };
  const query = new URLSearchParams({ schemaVersion: "1", orgId: "1", panes: JSON.stringify(panes) });
  return `${trimSlash(grafanaUrl)}/explore?${query.toString()}`;
}

/** Runbook section of one alert: GitHub anchors are the lower-cased heading. */
export function runbookUrl(base: string, alertname: string): string {
  return `${base}#${alertname.toLowerCase()}`;
}

/** A base URL without its trailing slashes, so paths can be appended. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

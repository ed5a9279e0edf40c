import { DashboardLinkBuilder, DashboardLinkType } from "@grafana/grafana-foundation-sdk/dashboard";
import { DASHBOARD_UIDS, type DashboardKey } from "../queries/links";

/** Tag every voteobs dashboard carries; the dashboard links list the dashboards with it. */
export const DASHBOARD_TAG = "voteobs";

/**
 * The links at the top of every dashboard: all voteobs dashboards, keeping the time range and
 * the `service` variable, so a jump from Overview to Logs stays on the same service and minutes.
 */
export function dashboardLinks(): DashboardLinkBuilder {
  return new DashboardLinkBuilder("Dashboards").type(DashboardLinkType.Dashboards).tags([DASHBOARD_TAG]).asDropdown(false).includeVars(true).keepTime(true).targetBlank(false);
}

/**
 * A data link from a panel to another dashboard, for one service, over the time range on
 * screen. `service` may be a Grafana field variable such as "${__field.labels.service}".
 */
export function linkTo(title: string, dashboard: DashboardKey, service: string): DashboardLinkBuilder {
  return new DashboardLinkBuilder(title).url(`/d/${DASHBOARD_UIDS[dashboard]}?var-service=${service}&\${__url_time_range}`).targetBlank(false);
}

/** Grafana's variable for the `service` label of the series or row under the cursor. */
const SERIES_SERVICE = "${__field.labels.service}";
/** Grafana's variable for the value of the table cell under the cursor. */
export const CELL_VALUE = "${__value.raw}";

/** The data link every per-service graph carries: that service's logs, same minutes. */
export function logsOfSeries(): DashboardLinkBuilder {
  return linkTo(`Logs of ${SERIES_SERVICE}`, "logs", SERIES_SERVICE);
}

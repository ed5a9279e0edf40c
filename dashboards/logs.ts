import { COMPONENTS } from "../config/components";
import type { StackConfig } from "../config/schema";
import { containing, errorLogRateOf, errorLogsForVariable, failedRequestLogsForVariable, logVolumeByLevel, logsForVariable } from "../queries/logql";
import { LOG_WINDOW, LOKI, lokiQuery } from "./datasources";
import { finish, newDashboard, type RenderedDashboard } from "./dashboard";
import { logsPanel, row, timeSeries } from "./panels";
import { SEARCH, SERVICE, SERVICE_VARIABLE, searchVariable, serviceVariable } from "./variables";

/**
 * The seed's second investigation step: the error lines of the alert's service at the alert's
 * time. An alert's link sets `service` and the time range; the search box narrows the lines.
 */
export function logsDashboard(_config: StackConfig): RenderedDashboard {
  const builder = newDashboard("logs", "voteobs / Logs", "Error logs per service from Loki. Alert links choose the service and the minutes around the alert; expand a line for its fields (route, status, err).")
    .withVariable(serviceVariable(COMPONENTS, { all: true }))
    .withVariable(searchVariable())
    .withRow(row("How much is logged"))
    .withPanel(
      timeSeries({
        title: "Lines by level",
        description: "Log lines of the chosen services per level (a line without a recognisable level counts under an empty level).",
        targets: [lokiQuery("A", logVolumeByLevel(SERVICE, LOG_WINDOW), "{{level}}")],
        datasource: LOKI,
        unit: "short",
        min: 0,
        stacked: true,
        bars: true,
        w: 12,
        h: 7,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Error lines by service",
        description: "Lines at level error or fatal, per service.",
        targets: [lokiQuery("A", errorLogRateOf(SERVICE, LOG_WINDOW), "{{service}}")],
        datasource: LOKI,
        unit: "short",
        min: 0,
        stacked: true,
        bars: true,
        w: 12,
        h: 7,
      }),
    )
    .withRow(row("Errors"))
    .withPanel(
      logsPanel({
        title: "Error logs of $service",
        description: "Lines at level error or fatal, one panel per chosen service, newest first. This is the query behind every alert's logs link.",
        target: lokiQuery("A", containing(errorLogsForVariable(SERVICE), SEARCH)),
        repeatFor: SERVICE_VARIABLE,
        w: 12,
        h: 10,
      }),
    )
    .withRow(row("Failed requests"))
    .withPanel(
      logsPanel({
        title: "Failed requests (5xx) of $service",
        description: "Requests our services answered 5xx, from their JSON lines: route, method, status and err are fields of each line.",
        target: lokiQuery("A", failedRequestLogsForVariable(SERVICE, SEARCH)),
        w: 24,
        h: 10,
      }),
    )
    .withRow(row("Every line"))
    .withPanel(
      logsPanel({
        title: "All logs of $service",
        description: "Every line of the chosen services, any level; use the search box to narrow them.",
        target: lokiQuery("A", containing(logsForVariable(SERVICE), SEARCH)),
        w: 24,
        h: 12,
      }),
    );
  return finish(builder);
}

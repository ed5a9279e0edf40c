import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/common";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { DATASOURCE_UIDS } from "../queries/links";

/** The provisioned datasources, by the fixed uids render/grafana.ts gives them. */
export const PROMETHEUS: DataSourceRef = { type: "prometheus", uid: DATASOURCE_UIDS.prometheus };
export const LOKI: DataSourceRef = { type: "loki", uid: DATASOURCE_UIDS.loki };

/** rate() window of graphs: Grafana picks it from the step and the scrape interval. */
export const RATE_WINDOW = "$__rate_interval";
/** Range of LogQL metric queries: Grafana picks it from the step. */
export const LOG_WINDOW = "$__auto";

export interface PromOptions {
  /** Series name in the legend, e.g. "{{route}} {{status}}". */
  legend?: string;
  /** One value at the end of the range (stats, tables) instead of a range of points. */
  instant?: boolean;
  format?: prometheus.PromQueryFormat;
}

/** A PromQL target; `expr` comes from queries/. */
export function promQuery(refId: string, expr: string, options: PromOptions = {}): prometheus.DataqueryBuilder {
  const query = new prometheus.DataqueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).editorMode(prometheus.QueryEditorMode.Code);
  if (options.legend !== undefined) query.legendFormat(options.legend);
  if (options.format !== undefined) query.format(options.format);
  return options.instant ? query.instant() : query.range();
}

/** A LogQL target; `expr` comes from queries/logql.ts. */
export function lokiQuery(refId: string, expr: string, legend?: string): loki.DataqueryBuilder {
  const query = new loki.DataqueryBuilder().refId(refId).datasource(LOKI).expr(expr).editorMode(loki.QueryEditorMode.Code).queryType("range");
  if (legend !== undefined) query.legendFormat(legend);
  return query;
}

import type { Builder, Dataquery } from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/common";
import { FieldColorBuilder, FieldColorModeId, MappingType, RowBuilder, type DashboardLinkBuilder, type Threshold, type ValueMapping } from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as stateTimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { LOKI, PROMETHEUS } from "./datasources";
import { COLORS, thresholds } from "./thresholds";

/**
 * One function per kind of panel the dashboards repeat. Queries come in from queries/ (through
 * promQuery/lokiQuery); sizes are grid units (24 columns wide).
 */

type Query = Builder<Dataquery>;

export interface PanelBase {
  title: string;
  /** What the panel answers, and for coloured panels which alert its colours follow. */
  description: string;
  w: number;
  h: number;
  links?: DashboardLinkBuilder[];
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title).collapsed(false);
}

export interface TimeSeriesOptions extends PanelBase {
  targets: Query[];
  unit: string;
  /** Dashed lines at these steps (e.g. an alert threshold); none by default. */
  lines?: Threshold[];
  stacked?: boolean;
  bars?: boolean;
  min?: number;
  max?: number;
  /** Series whose name matches this regex are drawn as dashed lines (limits, objectives). */
  dashed?: string;
  /** Defaults to Prometheus. */
  datasource?: DataSourceRef;
}

export function timeSeries(o: TimeSeriesOptions): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(o.datasource ?? PROMETHEUS)
    .targets(o.targets)
    .unit(o.unit)
    .span(o.w)
    .height(o.h)
    .lineWidth(1)
    .fillOpacity(o.stacked || o.bars ? 60 : 10)
    .drawStyle(o.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.min !== undefined) panel.min(o.min);
  if (o.max !== undefined) panel.max(o.max);
  if (o.lines) {
    panel.thresholds(thresholds(o.lines)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (o.dashed) {
    panel.overrideByRegexp(o.dashed, [
      { id: "custom.lineStyle", value: { fill: "dash", dash: [10, 10] } },
      { id: "custom.fillOpacity", value: 0 },
      { id: "custom.stacking", value: { mode: "none", group: "A" } },
    ]);
  }
  if (o.links) panel.dataLinks(o.links);
  return panel;
}

export interface StatOptions extends PanelBase {
  targets: Query[];
  unit: string;
  steps: Threshold[];
  mappings?: ValueMapping[];
  decimals?: number;
  /** Colour the whole tile (traffic lights) instead of the number. */
  tile?: boolean;
  /** Draw the recent values behind the number. */
  sparkline?: boolean;
}

export function statPanel(o: StatOptions): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .targets(o.targets)
    .unit(o.unit)
    .span(o.w)
    .height(o.h)
    .thresholds(thresholds(o.steps))
    .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.Thresholds))
    .colorMode(o.tile ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(o.sparkline ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Value)
    .justifyMode(common.BigValueJustifyMode.Center)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
  if (o.mappings) panel.mappings(o.mappings);
  if (o.decimals !== undefined) panel.decimals(o.decimals);
  if (o.links) panel.dataLinks(o.links);
  return panel;
}

/** Text and colour shown instead of given values (e.g. 0 → "DOWN" in red). */
export function valueTexts(texts: Record<number, { text: string; color: string }>): ValueMapping {
  const options = Object.fromEntries(Object.entries(texts).map(([value, result], index) => [value, { ...result, index }]));
  return { type: MappingType.ValueToText, options };
}

export interface TimelineOptions extends PanelBase {
  targets: Query[];
  mappings: ValueMapping[];
}

/** Up/down (0/1) of many series over time, one band each. */
export function stateTimelinePanel(o: TimelineOptions): stateTimeline.PanelBuilder {
  const panel = new stateTimeline.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .targets(o.targets)
    .span(o.w)
    .height(o.h)
    .mappings(o.mappings)
    .thresholds(thresholds([{ value: null, color: COLORS.critical }, { value: 1, color: COLORS.ok }]))
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false));
  if (o.links) panel.dataLinks(o.links);
  return panel;
}

export interface HeatmapOptions extends PanelBase {
  target: Query;
  unit: string;
}

/** A Prometheus histogram (buckets by `le`) over time. */
export function heatmapPanel(o: HeatmapOptions): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .withTarget(o.target)
    .span(o.w)
    .height(o.h)
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(o.unit))
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme("Oranges").scale(heatmap.HeatmapColorScale.Exponential).exponent(0.5).steps(64))
    .cellGap(1)
    .showValue(common.VisibilityMode.Never)
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true))
    .showLegend();
}

export interface LogsOptions extends PanelBase {
  target: Query;
  /** One copy of the panel per value of this variable. */
  repeatFor?: string;
}

/** Log lines from Loki, newest first, with their parsed fields one click away. */
export function logsPanel(o: LogsOptions): logs.PanelBuilder {
  const panel = new logs.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(LOKI)
    .withTarget(o.target)
    .span(o.w)
    .height(o.h)
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .enableLogDetails(true)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .sortOrder(common.LogsSortOrder.Descending);
  if (o.repeatFor) panel.repeat(o.repeatFor).repeatDirection("h").maxPerRow(2);
  return panel;
}

export interface TableOptions extends PanelBase {
  target: Query;
  /** Columns to show, in order; every other column is hidden. */
  columns: string[];
  /** Data links per column, e.g. the service column opening that service's logs. */
  columnLinks?: Record<string, DashboardLinkBuilder[]>;
}

/** An instant query as a table with the chosen columns. */
export function tablePanel(o: TableOptions): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .withTarget(o.target)
    .span(o.w)
    .height(o.h)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .withTransformation({ id: "labelsToFields", options: { mode: "columns" } })
    .withTransformation({
      id: "organize",
      options: {
        includeByName: Object.fromEntries(o.columns.map((c) => [c, true])),
        indexByName: Object.fromEntries(o.columns.map((c, i) => [c, i])),
      },
    });
  for (const [column, links] of Object.entries(o.columnLinks ?? {})) {
    panel.overrideByName(column, [{ id: "links", value: links.map((l) => l.build()) }]);
  }
  return panel;
}

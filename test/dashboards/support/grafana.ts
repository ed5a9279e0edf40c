import type { Dashboard, Panel, RowPanel, VariableModel } from "@grafana/grafana-foundation-sdk/dashboard";
import { buildDashboards, type RenderedDashboard } from "../../../dashboards";
import type { StackConfig } from "../../../config/schema";
import { devConfig } from "../../support/render";

export function dashboardsOf(config: StackConfig = devConfig()): RenderedDashboard[] {
  return buildDashboards(config);
}

/** Every panel of a dashboard, rows and the panels inside rows included. */
export function allPanels(dashboard: Dashboard): Array<Panel | RowPanel> {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...((panel as RowPanel).panels ?? [])]);
}

/** Panels that are not rows. */
export function contentPanels(dashboard: Dashboard): Panel[] {
  return allPanels(dashboard).filter((p): p is Panel => p.type !== "row");
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  datasource: { type?: string; uid?: string };
  expr: string;
}

/**
 * Every query of every panel, with the datasource it runs on (its own, or the panel's), and every
 * annotation query (as panel "annotation: <name>").
 */
export function panelQueries(dashboards: readonly RenderedDashboard[]): PanelQuery[] {
  const annotations = dashboards.flatMap(({ uid, json }) =>
    (json.annotations.list ?? []).filter((a) => a.expr !== undefined).map((a) => ({ dashboard: uid, panel: `annotation: ${a.name}`, refId: "", datasource: a.datasource ?? {}, expr: a.expr! })),
  );
  return annotations.concat(dashboards.flatMap(({ uid, json }) =>
    contentPanels(json).flatMap((panel) =>
      (panel.targets ?? []).map((target) => {
        const t = target as { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } };
        return { dashboard: uid, panel: panel.title ?? "", refId: t.refId ?? "", datasource: t.datasource ?? panel.datasource ?? {}, expr: t.expr ?? "" };
      }),
    ),
  ));
}

export function variablesOf(dashboard: Dashboard): VariableModel[] {
  return dashboard.templating.list ?? [];
}

/** Values Grafana would put in place of its built-in variables before a query reaches the datasource. */
const BUILTINS: Record<string, string> = {
  __rate_interval: "1m",
  __interval: "15s",
  __auto: "1m",
  __range: "1h",
};

/**
 * The query as the datasource receives it: dashboard variables replaced by a sample value
 * (multi-value variables by a regex alternation, as Grafana formats them) and built-ins by a
 * duration. A variable the dashboard does not define is an error, as it would reach Prometheus
 * or Loki verbatim.
 */
export function interpolate(expr: string, dashboard: Dashboard): string {
  const variables = new Map(variablesOf(dashboard).map((v) => [v.name, v]));
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, plain: string | undefined) => {
    const name = (braced ?? plain)!;
    if (name in BUILTINS) return BUILTINS[name];
    const variable = variables.get(name);
    if (!variable) throw new Error(`${whole} is no variable of dashboard ${dashboard.uid}`);
    if (variable.type === "textbox") return "timeout";
    const options = String(variable.query ?? "").split(",").filter(Boolean);
    if (options.length === 0) throw new Error(`variable ${name} of ${dashboard.uid} has no options`);
    return variable.multi ? `(${options.slice(0, 2).join("|")})` : options[0];
  });
}

/** The query text of a panel's first target. */
export function firstExpr(panel: Panel): string {
  const target = (panel.targets ?? [])[0] as unknown as { expr?: string } | undefined;
  if (typeof target?.expr !== "string") throw new Error(`panel ${panel.title} has no query`);
  return target.expr;
}

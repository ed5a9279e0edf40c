import type { RenderedFiles } from "../../../render";

/** One query of a rendered dashboard: a panel target or an annotation. */
export interface DashboardQuery {
  dashboard: string;
  /** Panel title, or "annotation: <name>". */
  where: string;
  datasource: "prometheus" | "loki" | string;
  expr: string;
}

interface PanelJson {
  title?: string;
  datasource?: { type?: string };
  targets?: Array<{ expr?: string; datasource?: { type?: string } }>;
  panels?: PanelJson[];
}

interface DashboardJson {
  uid: string;
  panels?: PanelJson[];
  annotations?: { list?: Array<{ name?: string; expr?: string; target?: { expr?: string }; datasource?: { type?: string } }> };
}

/** Every query of every rendered dashboard (grafana/dashboards/*.json), rows and nested panels included. */
export function dashboardQueries(files: RenderedFiles): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (!/^grafana\/dashboards\/.+\.json$/.test(path)) continue;
    const dashboard = JSON.parse(text) as DashboardJson;
    const walk = (panels: PanelJson[] = []): void => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          if (target.expr) out.push({ dashboard: dashboard.uid, where: panel.title ?? "(untitled)", datasource: target.datasource?.type ?? panel.datasource?.type ?? "?", expr: target.expr });
        }
        walk(panel.panels);
      }
    };
    walk(dashboard.panels);
    for (const annotation of dashboard.annotations?.list ?? []) {
      const expr = annotation.expr ?? annotation.target?.expr;
      if (expr) out.push({ dashboard: dashboard.uid, where: `annotation: ${annotation.name ?? "?"}`, datasource: annotation.datasource?.type ?? "?", expr });
    }
  }
  return out;
}

/**
 * Grafana's variables as Grafana would fill them: every service, a rate window of four scrapes
 * of a 15s scrape (as $__rate_interval at the default), the time range on screen.
 */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, "1m")
    .replace(/\$__interval|\$\{__interval\}/g, "15s")
    .replace(/\$__range|\$\{__range\}/g, "5m")
    .replace(/\$service|\$\{service\}/g, ".+");
}

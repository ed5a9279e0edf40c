import type { StackConfig } from "../config/schema";
import { dashboardUrl, exploreLogsUrl, runbookUrl, type DashboardKey } from "../queries/links";
import { serviceErrorLogs } from "../queries/logql";
import { conditionExpr, type AlertCondition } from "./condition";
import type { AlertRule, AlertSeverity, AlertText, Language } from "./types";

/** What an alert module declares; `alertRule` adds the labels and links every alert carries. */
export interface AlertSpec {
  name: string;
  severity: AlertSeverity;
  /** When it fires, as data; the rule's `expr` and `for` are rendered from it. */
  condition: AlertCondition;
  /** The service the alert is about, when fixed; otherwise the expression's `service` label is used. */
  service?: string;
  /** Dashboard the alert links to, with the service preselected. */
  dashboard: DashboardKey;
  /** About one service (fixed or from the expression): links preselect it and open its error logs. Defaults to true. */
  serviceScoped?: boolean;
  labels?: Record<string, string>;
  text: Record<Language, AlertText>;
}

/** The part of the config every alert reads. */
export interface AlertContext {
  language: Language;
  team: string;
  grafanaUrl: string;
  runbookBaseUrl: string;
}

export function alertContext(config: StackConfig): AlertContext {
  return { language: config.alerting.language, team: config.alerts.team, grafanaUrl: config.grafana.externalUrl, runbookBaseUrl: config.alerts.runbookBaseUrl };
}

const SERVICE_PLACEHOLDER = "__VOTEOBS_SERVICE__";
const SERVICE_TEMPLATE = "{{ $labels.service }}";

export function alertRule(spec: AlertSpec, ctx: AlertContext): AlertRule {
  const service = spec.service ?? SERVICE_PLACEHOLDER;
  const withService = (url: string) => url.split(SERVICE_PLACEHOLDER).join(SERVICE_TEMPLATE);
  const annotations: Record<string, string> = {
    summary: spec.text[ctx.language].summary,
    description: spec.text[ctx.language].description,
    runbook_url: runbookUrl(ctx.runbookBaseUrl, spec.name),
    dashboard_url: withService(dashboardUrl(ctx.grafanaUrl, spec.dashboard, spec.serviceScoped === false ? {} : { service })),
  };
  if (spec.serviceScoped !== false) annotations.logs_url = withService(exploreLogsUrl(ctx.grafanaUrl, serviceErrorLogs(service)));

  const labels: AlertRule["labels"] = { severity: spec.severity, team: ctx.team, ...spec.labels };
  if (spec.service !== undefined) labels.service = spec.service;

  const { condition } = spec;
  return { alert: spec.name, expr: conditionExpr(condition), ...(condition.for ? { for: condition.for } : {}), labels, annotations, condition };
}

/**
 * The monitoring watching itself: the operands of the meta alerts (Prometheus → Alertmanager,
 * Alertmanager → Slack/email, Loki ingestion), over the windows of `alerts.selfMonitoring`.
 */

/** Share of alert deliveries from Prometheus to Alertmanager that failed, per Prometheus. */
export function prometheusNotificationFailureRatio(window: string): string {
  return `sum by (service, instance) (rate(prometheus_notifications_errors_total[${window}]))\n/\nsum by (service, instance) (rate(prometheus_notifications_sent_total[${window}]))`;
}

/** Share of notifications Alertmanager failed to deliver, per Alertmanager and integration (slack, email). */
export function alertmanagerNotificationFailureRatio(window: string): string {
  return `sum by (service, instance, integration) (rate(alertmanager_notifications_failed_total[${window}]))\n/\nsum by (service, instance, integration) (rate(alertmanager_notifications_total[${window}]))`;
}

/** Log lines Loki refused within `window`, per reason (rate_limited, line_too_long...). */
export function lokiDiscardedLines(window: string): string {
  return `sum by (service, reason) (increase(loki_discarded_samples_total[${window}]))`;
}

/** Log lines our services dropped before Loki accepted them (local target, winston-loki). */
export function logShippingDropped(window: string): string {
  return `sum by (service) (increase(log_shipping_dropped_total[${window}]))`;
}

/** 0 when the last configuration reload of Prometheus failed, through `window`. */
export function prometheusConfigReloadOk(window: string): string {
  return `max_over_time(prometheus_config_last_reload_successful[${window}])`;
}

/** 0 when the last configuration reload of Alertmanager failed, through `window`. */
export function alertmanagerConfigReloadOk(window: string): string {
  return `max_over_time(alertmanager_config_last_reload_successful[${window}])`;
}

/** Rule evaluations that failed within `window`, per Prometheus. */
export function ruleEvaluationFailures(window: string): string {
  return `sum by (service, instance) (increase(prometheus_rule_evaluation_failures_total[${window}]))`;
}

/** The most Alertmanagers each Prometheus knew at any moment of `window`. */
export function alertmanagersDiscovered(window: string): string {
  return `max by (service, instance) (max_over_time(prometheus_notifications_alertmanagers_discovered[${window}]))`;
}

/** Scrapes rejected for exceeding their sample limit within `window`. */
export function scrapesOverSampleLimit(window: string): string {
  return `sum by (service, instance) (increase(prometheus_target_scrapes_exceeded_sample_limit_total[${window}]))`;
}

/** Share of vote requests the demo fault injection turns into 500 (0 when off). */
export function faultInjectionRatio(): string {
  return 'max by (service) (vote_fault_injection_ratio{service="vote"})';
}

/** Always one series: the Watchdog's expression. */
export const ALWAYS = "vector(1)";

/** Info alerts, pending or firing: what InfoInhibitor keeps quiet while nothing worse fires for their service. */
export function infoAlerts(): string {
  return 'ALERTS{severity="info"}';
}

/** Warning and critical alerts that fire: while one fires for a service, its info alerts may notify. */
export function worseAlerts(): string {
  return 'ALERTS{alertname!="InfoInhibitor", alertstate="firing", severity=~"warning|critical"}';
}

/**
 * The monitoring watching itself: the operands of the meta alerts (Prometheus → Alertmanager,
 * Alertmanager → Slack/email, Loki ingestion), written exactly as alert-rules/meta.ts writes
 * them, with the windows it uses.
 */

/** rate() window of the notification alerts. */
export const NOTIFICATION_WINDOW = "5m";
/** increase() window of the log-loss alerts. */
export const LOG_LOSS_WINDOW = "10m";

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

/** Log lines per second Loki accepted. */
export function lokiReceivedLinesRate(window: string): string {
  return `sum by (service) (rate(loki_distributor_lines_received_total[${window}]))`;
}

/** Log lines our services dropped before Loki accepted them (local target, winston-loki). */
export function logShippingDropped(window: string): string {
  return `sum by (service) (increase(log_shipping_dropped_total[${window}]))`;
}

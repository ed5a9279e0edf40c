import { durationSeconds, formatDuration } from "../config/duration";
import type { AlertsConfig } from "../config/schema";
import {
  ALWAYS,
  alertmanagerConfigReloadOk,
  alertmanagerNotificationFailureRatio,
  alertmanagersDiscovered,
  faultInjectionRatio,
  infoAlerts,
  worseAlerts,
  logShippingDropped,
  lokiDiscardedLines,
  prometheusConfigReloadOk,
  prometheusNotificationFailureRatio,
  ruleEvaluationFailures,
  scrapesOverSampleLimit,
} from "../queries/self-monitoring";
import { alertRule, type AlertContext } from "./build";
import { durationWords, percent } from "./i18n";
import type { RuleFile } from "./types";

/**
 * The monitoring watching itself: Watchdog (always firing, proves the path to Alertmanager is
 * alive), InfoInhibitor (keeps info alerts quiet unless something worse fires for the same
 * service), and the health of Prometheus, Alertmanager, Loki and log shipping.
 */
export function metaRules(alerts: AlertsConfig, ctx: AlertContext): RuleFile {
  const self = alerts.selfMonitoring;
  const ratio = self.notificationFailureRatio;
  const words = (d: typeof self.for) => ({ id: durationWords(d, "id"), en: durationWords(d, "en") });
  /** A reload alert fires once no reload succeeded within the window, for `for` more. */
  const reloadWords = words(formatDuration(durationSeconds(self.reloadWindow) + durationSeconds(self.for)));
  const failureWords = words(self.failureWindow);
  const logLossWords = words(self.logLossWindow);

  const rules = [
    alertRule(
      {
        name: "Watchdog",
        severity: "none",
        dashboard: "overview",
        serviceScoped: false,
        condition: { operand: ALWAYS },
        text: {
          id: {
            summary: "Alert yang selalu menyala untuk membuktikan jalur peringatan hidup",
            description: "Alert ini selalu menyala. Jika dead man's switch berhenti menerima Watchdog, berarti Prometheus, Alertmanager atau jaringan di antaranya bermasalah.",
          },
          en: {
            summary: "Always-firing alert proving the alerting pipeline works",
            description: "This alert always fires. When the dead man's switch stops receiving Watchdog, Prometheus, Alertmanager or the path between them is broken.",
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "InfoInhibitor",
        severity: "none",
        dashboard: "overview",
        serviceScoped: false,
        condition: { operand: infoAlerts(), comparison: "==", threshold: 1, clauses: [{ op: "unless", on: ["service"], condition: { operand: worseAlerts(), comparison: "==", threshold: 1 } }] },
        text: {
          id: {
            summary: "Meredam alert info selama tidak ada alert yang lebih berat",
            description: "Alert ini meredam alert info untuk service `{{ $labels.service }}` selama tidak ada alert warning atau critical untuk service yang sama. Jangan dikirim ke manusia.",
          },
          en: {
            summary: "Keeps info alerts quiet while nothing worse fires",
            description: "Silences info alerts of service `{{ $labels.service }}` while no warning or critical alert fires for it. Never routed to people.",
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "VoteFaultInjectionActive",
        severity: "info",
        service: "vote",
        dashboard: "overview",
        condition: { operand: faultInjectionRatio(), comparison: ">", threshold: 0, for: alerts.faultInjection.for },
        text: {
          id: {
            summary: "Injeksi error (demo) aktif di aplikasi vote",
            description: "Aplikasi vote sengaja menjawab {{ $value | humanizePercentage }} permintaan dengan 500 (app.faultInjection). Matikan setelah demo.",
          },
          en: {
            summary: "Demo fault injection is on in the vote app",
            description: "The vote app deliberately answers {{ $value | humanizePercentage }} of requests with 500 (app.faultInjection). Turn it off after the demo.",
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "PrometheusConfigReloadFailed",
        severity: "warning",
        service: "prometheus",
        dashboard: "overview",
        condition: { operand: prometheusConfigReloadOk(self.reloadWindow), comparison: "==", threshold: 0, for: self.for },
        text: {
          id: { summary: "Prometheus gagal memuat ulang konfigurasi", description: `Muat ulang konfigurasi Prometheus {{ $labels.instance }} gagal dan tidak ada muat ulang yang berhasil selama ${reloadWords.id}; Prometheus masih memakai konfigurasi lama.` },
          en: { summary: "Prometheus configuration reload failed", description: `Reloading the configuration of Prometheus {{ $labels.instance }} has failed, with no successful reload for ${reloadWords.en}; it still runs the previous one.` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "PrometheusRuleEvaluationFailures",
        severity: "critical",
        service: "prometheus",
        dashboard: "overview",
        condition: { operand: ruleEvaluationFailures(self.failureWindow), comparison: ">", threshold: 0, for: self.for },
        text: {
          id: { summary: "Prometheus gagal mengevaluasi aturan", description: `Prometheus {{ $labels.instance }} gagal mengevaluasi {{ $value | humanize }} aturan dalam ${failureWords.id} terakhir; alert bisa tidak menyala.` },
          en: { summary: "Prometheus fails to evaluate rules", description: `Prometheus {{ $labels.instance }} failed {{ $value | humanize }} rule evaluations in the last ${failureWords.en}; alerts may not fire.` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "PrometheusNotificationsFailing",
        severity: "critical",
        service: "prometheus",
        dashboard: "overview",
        condition: { operand: prometheusNotificationFailureRatio(self.notificationWindow), comparison: ">", threshold: ratio, for: self.for },
        text: {
          id: { summary: "Prometheus gagal mengirim alert ke Alertmanager", description: `{{ $value | humanizePercentage }} pengiriman alert dari Prometheus {{ $labels.instance }} ke Alertmanager gagal (batas ${percent(self.notificationFailureRatio)}).` },
          en: { summary: "Prometheus fails to send alerts to Alertmanager", description: `{{ $value | humanizePercentage }} of alert deliveries from Prometheus {{ $labels.instance }} to Alertmanager fail (limit ${percent(self.notificationFailureRatio)}).` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "PrometheusAlertmanagerMissing",
        severity: "critical",
        service: "prometheus",
        dashboard: "overview",
        condition: { operand: alertmanagersDiscovered(self.failureWindow), comparison: "==", threshold: 0, for: self.for },
        text: {
          id: { summary: "Prometheus tidak terhubung ke Alertmanager mana pun", description: "Prometheus {{ $labels.instance }} menemukan {{ $value }} Alertmanager; tidak ada alert yang terkirim." },
          en: { summary: "Prometheus is connected to no Alertmanager", description: "Prometheus {{ $labels.instance }} discovered {{ $value }} Alertmanagers; no alert gets delivered." },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "PrometheusScrapeSampleLimitHit",
        severity: "warning",
        service: "prometheus",
        dashboard: "overview",
        condition: { operand: scrapesOverSampleLimit(self.failureWindow), comparison: ">", threshold: 0, for: self.for },
        text: {
          id: { summary: "Target melebihi batas sampel scrape", description: `{{ $value | humanize }} scrape ditolak dalam ${failureWords.id} terakhir karena target mengekspos lebih banyak sampel daripada prometheus.limits.sampleLimit; metriknya hilang.` },
          en: { summary: "A target exceeds the scrape sample limit", description: `{{ $value | humanize }} scrapes were rejected in the last ${failureWords.en} because a target exposed more samples than prometheus.limits.sampleLimit; its metrics are lost.` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "AlertmanagerConfigReloadFailed",
        severity: "critical",
        service: "alertmanager",
        dashboard: "overview",
        condition: { operand: alertmanagerConfigReloadOk(self.reloadWindow), comparison: "==", threshold: 0, for: self.for },
        text: {
          id: { summary: "Alertmanager gagal memuat ulang konfigurasi", description: `Muat ulang konfigurasi Alertmanager {{ $labels.instance }} gagal dan tidak ada muat ulang yang berhasil selama ${reloadWords.id}; rute dan penerima baru belum berlaku.` },
          en: { summary: "Alertmanager configuration reload failed", description: `Reloading the configuration of Alertmanager {{ $labels.instance }} has failed, with no successful reload for ${reloadWords.en}; new routes and receivers are not in effect.` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "AlertmanagerNotificationsFailing",
        severity: "critical",
        service: "alertmanager",
        dashboard: "overview",
        condition: { operand: alertmanagerNotificationFailureRatio(self.notificationWindow), comparison: ">", threshold: ratio, for: self.for },
        text: {
          id: { summary: "Alertmanager gagal mengirim notifikasi", description: `{{ $value | humanizePercentage }} notifikasi {{ $labels.integration }} dari Alertmanager {{ $labels.instance }} gagal (batas ${percent(self.notificationFailureRatio)}). Periksa webhook Slack atau server SMTP.` },
          en: { summary: "Alertmanager fails to send notifications", description: `{{ $value | humanizePercentage }} of {{ $labels.integration }} notifications from Alertmanager {{ $labels.instance }} fail (limit ${percent(self.notificationFailureRatio)}). Check the Slack webhook or the SMTP server.` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "LogShippingDropping",
        severity: "warning",
        dashboard: "overview",
        condition: { operand: logShippingDropped(self.logLossWindow), comparison: ">", threshold: 0, for: self.for },
        text: {
          id: { summary: "Log service dibuang sebelum sampai ke Loki", description: `Service \`{{ $labels.service }}\` membuang {{ $value | humanize }} baris log dalam ${logLossWords.id} terakhir karena Loki lambat atau tidak dapat dijangkau.` },
          en: { summary: "Service logs dropped before reaching Loki", description: `Service \`{{ $labels.service }}\` dropped {{ $value | humanize }} log lines in the last ${logLossWords.en} because Loki was slow or unreachable.` },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "LokiDiscardingLogs",
        severity: "warning",
        service: "loki",
        dashboard: "logs",
        condition: { operand: lokiDiscardedLines(self.logLossWindow), comparison: ">", threshold: 0, for: self.for },
        text: {
          id: { summary: "Loki menolak baris log", description: `Loki menolak {{ $value | humanize }} baris log dalam ${logLossWords.id} terakhir (alasan: {{ $labels.reason }}); naikkan batas loki.ingestionRateMb atau kurangi volume log.` },
          en: { summary: "Loki discards log lines", description: `Loki discarded {{ $value | humanize }} log lines in the last ${logLossWords.en} (reason: {{ $labels.reason }}); raise loki.ingestionRateMb or reduce the log volume.` },
        },
      },
      ctx,
    ),
  ];
  return { name: "meta", groups: [{ name: "voteobs.meta", rules }] };
}

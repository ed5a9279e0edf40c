import type { Language } from "../alert-rules/types";
import { EXPLORE_DEFAULT_FROM, EXPLORE_DEFAULT_TO } from "../queries/links";
import { header } from "./text";

/** Words of the notification layout, per language. */
const WORDS: Record<Language, Record<string, string>> = {
  id: {
    resolved: "TERATASI",
    resolvedBody: "Sudah teratasi. Alert ini menyala dari {from} sampai {to}.",
    since: "Sejak",
    until: "Selesai",
    severity: "Tingkat",
    service: "Service",
    dashboard: "Dasbor",
    logs: "Log di Loki",
    runbook: "Runbook",
    footer: "Dikirim oleh Alertmanager voteobs",
  },
  en: {
    resolved: "RESOLVED",
    resolvedBody: "Resolved. This alert fired from {from} until {to}.",
    since: "Since",
    until: "Ended",
    severity: "Severity",
    service: "Service",
    dashboard: "Dashboard",
    logs: "Logs in Loki",
    runbook: "Runbook",
    footer: "Sent by the voteobs Alertmanager",
  },
};

const TIME_FORMAT = '"2006-01-02 15:04:05 MST"';
/** Links open 15 minutes before the alert started, and end 15 minutes after it resolved. */
const MARGIN_NS = String(15 * 60 * 1e9);

/**
 * Alertmanager templates for Slack and email. Every alert's message is its `summary` as title,
 * its `description` (the seed's words for VoteHighErrorRate, then the live value), when it
 * started, and links to the dashboard and Loki narrowed to the alert's own time range.
 */
export function renderNotificationTemplate(language: Language): string {
  const w = WORDS[language];
  const resolvedBody = w.resolvedBody.replace("{from}", `{{ .StartsAt.Format ${TIME_FORMAT} }}`).replace("{to}", `{{ .EndsAt.Format ${TIME_FORMAT} }}`);
  return `${header("go-template")}
{{/* Links of one alert, narrowed to its own time range (Unix milliseconds). */}}
{{ define "voteobs.dashboard_url" }}{{ $to := "now" }}{{ if eq .Status "resolved" }}{{ $to = printf "%d" (.EndsAt.Add ${MARGIN_NS}).UnixMilli }}{{ end }}{{ .Annotations.dashboard_url }}&from={{ (.StartsAt.Add -${MARGIN_NS}).UnixMilli }}&to={{ $to }}{{ end }}
{{ define "voteobs.logs_url" }}{{ $to := "now" }}{{ if eq .Status "resolved" }}{{ $to = printf "%d" (.EndsAt.Add ${MARGIN_NS}).UnixMilli }}{{ end }}{{ $from := printf "%d" (.StartsAt.Add -${MARGIN_NS}).UnixMilli }}{{ reReplaceAll "%22${EXPLORE_DEFAULT_TO}%22" (printf "%%22%s%%22" $to) (reReplaceAll "%22${EXPLORE_DEFAULT_FROM}%22" (printf "%%22%s%%22" $from) .Annotations.logs_url) }}{{ end }}

{{ define "voteobs.summary" }}{{ with .CommonAnnotations.summary }}{{ . }}{{ else }}{{ (index .Alerts 0).Annotations.summary }}{{ end }}{{ end }}

{{ define "voteobs.title" }}{{ if eq .Status "resolved" }}✅ [${w.resolved}] {{ end }}{{ template "voteobs.summary" . }}{{ if gt (len .Alerts) 1 }} ({{ len .Alerts }}){{ end }}{{ end }}

{{/* ---------- Slack ---------- */}}
{{ define "voteobs.slack.title" }}{{ template "voteobs.title" . }}{{ end }}
{{ define "voteobs.slack.color" }}{{ if eq .Status "resolved" }}good{{ else if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}{{ end }}
{{ define "voteobs.slack.text" }}{{ range $i, $alert := .Alerts }}{{ if $i }}

{{ end }}{{ if eq .Status "firing" }}{{ .Annotations.description }}{{ else }}${resolvedBody}{{ end }}

*${w.since}:* {{ .StartsAt.Format ${TIME_FORMAT} }}{{ if eq .Status "resolved" }} · *${w.until}:* {{ .EndsAt.Format ${TIME_FORMAT} }}{{ end }}
*${w.severity}:* \`{{ .Labels.severity }}\`{{ with .Labels.service }} · *${w.service}:* \`{{ . }}\`{{ end }}{{ with .Labels.instance }} · \`{{ . }}\`{{ end }}
{{ if .Annotations.dashboard_url }}<{{ template "voteobs.dashboard_url" . }}|📊 ${w.dashboard}>{{ end }}{{ if .Annotations.logs_url }} · <{{ template "voteobs.logs_url" . }}|📜 ${w.logs}>{{ end }}{{ if .Annotations.runbook_url }} · <{{ .Annotations.runbook_url }}|📖 ${w.runbook}>{{ end }}{{ end }}{{ end }}
{{ define "voteobs.slack.fallback" }}{{ template "voteobs.title" . }}{{ end }}

{{/* ---------- Email ---------- */}}
{{ define "voteobs.email.subject" }}{{ template "voteobs.title" . }}{{ end }}
{{ define "voteobs.email.text" }}{{ template "voteobs.title" . }}
{{ range .Alerts }}
{{ if eq .Status "firing" }}{{ .Annotations.description }}{{ else }}${resolvedBody}{{ end }}

${w.since}: {{ .StartsAt.Format ${TIME_FORMAT} }}{{ if eq .Status "resolved" }}
${w.until}: {{ .EndsAt.Format ${TIME_FORMAT} }}{{ end }}
${w.severity}: {{ .Labels.severity }}{{ with .Labels.service }}
${w.service}: {{ . }}{{ end }}{{ if .Annotations.dashboard_url }}
${w.dashboard}: {{ template "voteobs.dashboard_url" . }}{{ end }}{{ if .Annotations.logs_url }}
${w.logs}: {{ template "voteobs.logs_url" . }}{{ end }}{{ if .Annotations.runbook_url }}
${w.runbook}: {{ .Annotations.runbook_url }}{{ end }}
{{ end }}
-- 
${w.footer}
{{ end }}
{{ define "voteobs.email.html" }}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ template "voteobs.title" . }}</title></head>
<body style="font-family: sans-serif; line-height: 1.4">
<h2 style="color: {{ if eq .Status "resolved" }}#2e7d32{{ else if eq .CommonLabels.severity "critical" }}#c62828{{ else }}#ef6c00{{ end }}">{{ template "voteobs.title" . }}</h2>
{{ range .Alerts }}<div style="border-left: 4px solid #999; padding-left: 12px; margin-bottom: 16px">
<p style="white-space: pre-line">{{ if eq .Status "firing" }}{{ .Annotations.description }}{{ else }}${resolvedBody}{{ end }}</p>
<table>
<tr><td><b>${w.since}</b></td><td>{{ .StartsAt.Format ${TIME_FORMAT} }}</td></tr>{{ if eq .Status "resolved" }}
<tr><td><b>${w.until}</b></td><td>{{ .EndsAt.Format ${TIME_FORMAT} }}</td></tr>{{ end }}
<tr><td><b>${w.severity}</b></td><td>{{ .Labels.severity }}</td></tr>{{ with .Labels.service }}
<tr><td><b>${w.service}</b></td><td>{{ . }}</td></tr>{{ end }}
</table>
<p>{{ if .Annotations.dashboard_url }}<a href="{{ template "voteobs.dashboard_url" . }}">📊 ${w.dashboard}</a>{{ end }}{{ if .Annotations.logs_url }} · <a href="{{ template "voteobs.logs_url" . }}">📜 ${w.logs}</a>{{ end }}{{ if .Annotations.runbook_url }} · <a href="{{ .Annotations.runbook_url }}">📖 ${w.runbook}</a>{{ end }}</p>
</div>
{{ end }}<p style="color: #777">${w.footer}</p>
</body></html>
{{ end }}
`;
}

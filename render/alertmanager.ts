import { INHIBITIONS } from "../alert-rules/inhibitions";
import type { Receiver, StackConfig } from "../config/schema";
import { slackWebhookFile, smtpPasswordFile } from "../config/secrets";
import { yamlFile } from "./text";
import type { Topology } from "./topology/types";

export const TEMPLATE_FILE = "voteobs.tmpl";
/** Receives Watchdog; a webhook to alerting.deadMansSwitchUrl when set, nobody otherwise. */
export const DEADMANS_RECEIVER = "deadmansswitch";
/** Receives what no person should: the severity "none" plumbing (InfoInhibitor and the like), and anything no route claims. */
export const BLACKHOLE_RECEIVER = "blackhole";

/**
 * alertmanager.yml. Watchdog and the other severity "none" plumbing are caught first; then every enabled receiver
 * gets the severities it asked for (`continue: true`, so Slack and email both see a critical).
 * Secrets are read from files; the config itself never holds one.
 */
export function renderAlertmanagerConfig(config: StackConfig, topology: Topology): string {
  const a = config.alerting;
  const enabled = a.receivers.filter((r) => r.enabled);
  const document = {
    global: { resolve_timeout: a.resolveTimeout },
    templates: [`${topology.paths.alertmanagerTemplates}/*.tmpl`],
    route: {
      receiver: BLACKHOLE_RECEIVER,
      group_by: a.groupBy,
      group_wait: a.groupWait,
      group_interval: a.groupInterval,
      repeat_interval: a.repeatInterval,
      routes: [
        { receiver: DEADMANS_RECEIVER, matchers: ['alertname="Watchdog"'], group_wait: "0s", group_interval: "1m", repeat_interval: "1m" },
        { receiver: BLACKHOLE_RECEIVER, matchers: ['severity="none"'] },
        ...enabled.map((r) => ({ receiver: r.name, matchers: routeMatchers(r), continue: true })),
      ],
    },
    inhibit_rules: INHIBITIONS.map((i) => ({ source_matchers: i.source, target_matchers: i.target, equal: i.equal })),
    receivers: [
      { name: BLACKHOLE_RECEIVER },
      a.deadMansSwitchUrl ? { name: DEADMANS_RECEIVER, webhook_configs: [{ url: a.deadMansSwitchUrl, send_resolved: false }] } : { name: DEADMANS_RECEIVER },
      ...enabled.map((r) => receiverConfig(r, topology)),
    ],
  };
  return yamlFile(document);
}

function routeMatchers(receiver: Receiver): string[] {
  const severities = receiver.severities.length === 1 ? `severity="${receiver.severities[0]}"` : `severity=~"${receiver.severities.join("|")}"`;
  return [severities, ...Object.entries(receiver.matchers).map(([label, value]) => `${label}=${JSON.stringify(value)}`)];
}

function receiverConfig(receiver: Receiver, topology: Topology): Record<string, unknown> {
  const secrets = topology.paths.alertmanagerSecrets;
  if (receiver.type === "slack") {
    return {
      name: receiver.name,
      slack_configs: [
        {
          api_url_file: `${secrets}/${slackWebhookFile(receiver.name)}`,
          channel: receiver.channel,
          send_resolved: receiver.sendResolved,
          username: "Alertmanager",
          color: '{{ template "voteobs.slack.color" . }}',
          title: '{{ template "voteobs.slack.title" . }}',
          title_link: '{{ template "voteobs.dashboard_url" (index .Alerts 0) }}',
          text: '{{ template "voteobs.slack.text" . }}',
          fallback: '{{ template "voteobs.slack.fallback" . }}',
          mrkdwn_in: ["title", "text"],
        },
      ],
    };
  }
  return {
    name: receiver.name,
    email_configs: [
      {
        to: receiver.to,
        from: receiver.from,
        smarthost: receiver.smarthost,
        ...(receiver.authUsername ? { auth_username: receiver.authUsername, auth_password_file: `${secrets}/${smtpPasswordFile(receiver.name)}` } : {}),
        require_tls: receiver.requireTls,
        send_resolved: receiver.sendResolved,
        headers: { Subject: '{{ template "voteobs.email.subject" . }}' },
        html: '{{ template "voteobs.email.html" . }}',
        text: '{{ template "voteobs.email.text" . }}',
      },
    ],
  };
}

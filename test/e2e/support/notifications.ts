import type { SlackMessage } from "../../../local/receivers/slack";
import type { ReceivedEmail } from "../../../local/receivers/smtp";

/** The prefix the notification template gives resolved notifications (language "id"). */
export const RESOLVED_PREFIX = "✅ [TERATASI] ";

export function slackTitle(message: SlackMessage): string {
  return message.payload.attachments?.[0]?.title ?? "";
}

export function slackText(message: SlackMessage): string {
  return message.payload.attachments?.[0]?.text ?? "";
}

/**
 * Whether a title is the summary's, firing or resolved (with " (n)" when n alerts share the group).
 * A summary may name labels (`{{ $labels.service }}`): `service` fills that one in, and any other
 * label stands for one word.
 */
export function titleMatches(title: string, summary: string, status: "firing" | "resolved", service?: string): boolean {
  const base = status === "resolved" ? `${RESOLVED_PREFIX}${summary}` : summary;
  const pattern = base
    .split(/(\{\{[^}]*\}\})/)
    .map((part) => (!part.startsWith("{{") ? escapeRegExp(part) : service !== undefined && /\$labels\.service\b/.test(part) ? escapeRegExp(service) : "\\S+"))
    .join("");
  return new RegExp(`^${pattern}( \\(\\d+\\))?$`).test(title);
}

export function slackAbout(messages: readonly SlackMessage[], summary: string, status: "firing" | "resolved", service?: string): SlackMessage[] {
  return messages.filter((m) => titleMatches(slackTitle(m), summary, status, service) && (service === undefined || slackServices(m).includes(service)));
}

export function emailsAbout(emails: readonly ReceivedEmail[], summary: string, status: "firing" | "resolved"): ReceivedEmail[] {
  return emails.filter((e) => titleMatches(e.subject, summary, status));
}

/** The services a Slack message names (`*Service:* \`vote\``), one per alert in it. */
export function slackServices(message: SlackMessage): string[] {
  return [...slackText(message).matchAll(/\*Service:\* `([^`]+)`/g)].map((m) => m[1]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

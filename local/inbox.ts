import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SlackReceiver } from "./receivers/slack";
import type { SmtpReceiver } from "./receivers/smtp";
import type { WebhookReceiver } from "./receivers/webhook";

/** What the local receivers got, readable in a browser (/) or by scripts (/slack, /email, /deadmansswitch). */
export interface Inbox {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface InboxSources {
  slack: SlackReceiver;
  smtp: SmtpReceiver;
  deadMansSwitch: WebhookReceiver;
}

export async function startInbox(sources: InboxSources, port = 0): Promise<Inbox> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const json: Record<string, () => unknown> = {
      "/slack": () => sources.slack.messages,
      "/email": () => sources.smtp.emails,
      "/deadmansswitch": () => sources.deadMansSwitch.calls,
    };
    if (path in json) {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(json[path](), null, 2));
    } else if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page(sources));
    } else {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}`, port: actual, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** Slack's `<url|label>` links as HTML links. */
function slackText(text: string): string {
  return escape(text).replace(/&lt;(https?:\/\/[^|]+?)\|([^&]+?)&gt;/g, (_m, url: string, label: string) => `<a href="${url}">${label}</a>`);
}

function page({ slack, smtp, deadMansSwitch }: InboxSources): string {
  const newestFirst = <T>(items: readonly T[]) => [...items].reverse();
  const slackItems = newestFirst(slack.messages).map((m) => {
    const a = m.payload.attachments?.[0] ?? {};
    return `<li><time>${m.receivedAt.toISOString()}</time> <b style="color:${a.color === "danger" ? "#c62828" : a.color === "good" ? "#2e7d32" : "#ef6c00"}">${escape(a.title ?? "")}</b> <small>${escape(m.payload.channel ?? "")}</small><pre>${slackText(a.text ?? "")}</pre></li>`;
  });
  const emailItems = newestFirst(smtp.emails).map((e) => `<li><time>${e.receivedAt.toISOString()}</time> <b>${escape(e.subject)}</b> <small>to ${escape(e.to.join(", "))}</small><pre>${escape(e.text)}</pre></li>`);
  const lastPing = deadMansSwitch.calls.at(-1);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>voteobs local inbox</title>
<style>body{font-family:sans-serif;margin:2em}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}li{margin-bottom:1em}time{color:#777}</style></head>
<body><h1>voteobs local inbox</h1>
<p>Dead man's switch: ${deadMansSwitch.calls.length} Watchdog call(s)${lastPing ? `, last at ${lastPing.receivedAt.toISOString()}` : ""}. JSON: <a href="/slack">/slack</a> · <a href="/email">/email</a> · <a href="/deadmansswitch">/deadmansswitch</a></p>
<h2>Slack (${slack.messages.length})</h2><ul>${slackItems.join("\n") || "<li>nothing yet</li>"}</ul>
<h2>Email (${smtp.emails.length})</h2><ul>${emailItems.join("\n") || "<li>nothing yet</li>"}</ul>
</body></html>`;
}

import { startJsonCapture, type Captured } from "./json-capture";

/** One message as Alertmanager posts it to a Slack incoming webhook. */
export type SlackMessage = Captured<{
  channel?: string;
  username?: string;
  attachments?: Array<{ title?: string; title_link?: string; text?: string; color?: string; fallback?: string }>;
}>;

/**
 * Stands where Slack stands: an HTTP endpoint speaking the incoming-webhook format that keeps
 * every message it accepted. It can be told to answer 500 for a while, to drill retries.
 */
export interface SlackReceiver {
  /** The webhook URL to give Alertmanager. */
  readonly url: string;
  readonly port: number;
  readonly messages: SlackMessage[];
  /** Requests answered with an error while failing (not stored). */
  readonly rejected: number;
  /** Answer 500 to every request until `recover()`. */
  fail(): void;
  recover(): void;
  /** Resolves with the first message matching `predicate` (already received or to come). */
  waitFor(predicate: (message: SlackMessage) => boolean, timeoutMs: number): Promise<SlackMessage>;
  close(): Promise<void>;
}

export async function startSlackReceiver(port = 0): Promise<SlackReceiver> {
  const capture = await startJsonCapture<SlackMessage["payload"]>(port, "Slack message");
  return {
    url: `http://127.0.0.1:${capture.port}/services/T000/B000/local`,
    port: capture.port,
    messages: capture.items,
    get rejected() {
      return capture.rejected;
    },
    fail: capture.fail,
    recover: capture.recover,
    waitFor: capture.waitFor,
    close: capture.close,
  };
}

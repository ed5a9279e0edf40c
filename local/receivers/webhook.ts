import { startJsonCapture, type Captured } from "./json-capture";

/** Alertmanager's webhook payload (version 4), the fields the drills read. */
export interface WebhookPayload {
  receiver: string;
  status: "firing" | "resolved";
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }>;
}

export type WebhookCall = Captured<WebhookPayload>;

/**
 * Stands where a dead man's switch (healthchecks.io and the like) stands: it keeps every
 * Alertmanager webhook call, so a drill can prove Watchdog keeps arriving.
 */
export interface WebhookReceiver {
  /** The URL to configure (alerting.deadMansSwitchUrl). */
  readonly url: string;
  readonly port: number;
  readonly calls: WebhookCall[];
  waitFor(predicate: (call: WebhookCall) => boolean, timeoutMs: number): Promise<WebhookCall>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { port?: number; path?: string } = {}): Promise<WebhookReceiver> {
  const path = options.path ?? "/deadmansswitch";
  const capture = await startJsonCapture<WebhookPayload>(options.port ?? 0, "webhook call");
  return {
    url: `http://127.0.0.1:${capture.port}${path}`,
    port: capture.port,
    calls: capture.items,
    waitFor: capture.waitFor,
    close: capture.close,
  };
}

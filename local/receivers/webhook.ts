import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { waitForItem } from "./slack";

/** Alertmanager's webhook payload (version 4), the fields the drills read. */
export interface WebhookPayload {
  receiver: string;
  status: "firing" | "resolved";
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }>;
}

export interface WebhookCall {
  receivedAt: Date;
  payload: WebhookPayload;
}

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

const MAX_BODY = 1 << 20;

export async function startWebhookReceiver(options: { port?: number; path?: string } = {}): Promise<WebhookReceiver> {
  const path = options.path ?? "/deadmansswitch";
  const calls: WebhookCall[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(calls, null, 2));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on("end", () => {
      try {
        calls.push({ receivedAt: new Date(), payload: JSON.parse(Buffer.concat(chunks).toString("utf8")) as WebhookPayload });
      } catch {
        response.writeHead(400).end("invalid JSON");
        return;
      }
      response.writeHead(200).end("ok");
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    calls,
    waitFor: (predicate, timeoutMs) => waitForItem(calls, waiters, predicate, timeoutMs, "webhook call"),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

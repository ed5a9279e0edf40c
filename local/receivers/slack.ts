import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One message as Alertmanager posts it to a Slack incoming webhook. */
export interface SlackMessage {
  receivedAt: Date;
  path: string;
  payload: {
    channel?: string;
    username?: string;
    attachments?: Array<{ title?: string; title_link?: string; text?: string; color?: string; fallback?: string }>;
  };
}

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

const MAX_BODY = 1 << 20;

export async function startSlackReceiver(port = 0): Promise<SlackReceiver> {
  const messages: SlackMessage[] = [];
  const waiters = new Set<() => void>();
  let failing = false;
  let rejected = 0;

  const server: Server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify(messages, null, 2));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on("end", () => {
      if (failing) {
        rejected++;
        response.writeHead(500).end("failing on purpose");
        return;
      }
      try {
        messages.push({ receivedAt: new Date(), path: request.url ?? "/", payload: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      } catch {
        response.writeHead(400).end("invalid_payload");
        return;
      }
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}/services/T000/B000/local`,
    port: actualPort,
    messages,
    get rejected() {
      return rejected;
    },
    fail: () => {
      failing = true;
    },
    recover: () => {
      failing = false;
    },
    waitFor(predicate, timeoutMs) {
      return waitForItem(messages, waiters, predicate, timeoutMs, "Slack message");
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Shared by the receivers: wait until an item matching `predicate` is in `items`. */
export function waitForItem<T>(items: T[], waiters: Set<() => void>, predicate: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const found = items.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const wake = () => {
      const match = items.find(predicate);
      if (!match) return;
      clearTimeout(timer);
      waiters.delete(wake);
      resolve(match);
    };
    const timer = setTimeout(() => {
      waiters.delete(wake);
      reject(new Error(`no matching ${what} within ${timeoutMs}ms (${items.length} received)`));
    }, timeoutMs);
    waiters.add(wake);
  });
}

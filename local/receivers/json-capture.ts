import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One JSON body a capture server accepted. */
export interface Captured<T> {
  receivedAt: Date;
  path: string;
  payload: T;
}

/**
 * An HTTP endpoint on 127.0.0.1 that keeps every JSON body POSTed to it (and lists them on GET).
 * It can be told to answer 500 for a while, to drill retries. Slack and the dead man's switch
 * stand-ins are two of these.
 */
export interface JsonCapture<T> {
  readonly port: number;
  readonly items: Captured<T>[];
  /** Requests answered with an error while failing (not stored). */
  readonly rejected: number;
  /** Answer 500 to every request until `recover()`. */
  fail(): void;
  recover(): void;
  /** Resolves with the first item matching `predicate` (already received or to come). */
  waitFor(predicate: (item: Captured<T>) => boolean, timeoutMs: number): Promise<Captured<T>>;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startJsonCapture<T>(port: number, what: string): Promise<JsonCapture<T>> {
  const items: Captured<T>[] = [];
  const waiters = new Set<() => void>();
  let failing = false;
  let rejected = 0;

  const server: Server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(items, null, 2));
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
        items.push({ receivedAt: new Date(), path: request.url ?? "/", payload: JSON.parse(Buffer.concat(chunks).toString("utf8")) as T });
      } catch {
        response.writeHead(400).end("invalid JSON");
        return;
      }
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

  return {
    port: (server.address() as AddressInfo).port,
    items,
    get rejected() {
      return rejected;
    },
    fail: () => {
      failing = true;
    },
    recover: () => {
      failing = false;
    },
    waitFor: (predicate, timeoutMs) => waitForItem(items, waiters, predicate, timeoutMs, what),
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

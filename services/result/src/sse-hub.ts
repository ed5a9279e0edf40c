import { ServerResponse } from "node:http";
import { Gauge, Registry } from "prom-client";

const KEEP_ALIVE_MS = 15_000;
const MAX_UNSENT_BYTES = 64 * 1024;

/** Open server-sent event streams: each gets the current data on connect and every change after. */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly gauge: Gauge;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(registry: Registry) {
    this.gauge = new Gauge({ name: "result_sse_clients", help: "Open server-sent event streams on /events.", registers: [registry] });
    // A comment line now and then keeps proxies from closing a quiet stream.
    this.keepAlive = setInterval(() => this.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  open(res: ServerResponse, initialData: string | undefined): void {
    // A stream ends only at shutdown or when the client leaves: its connection is not reused after.
    res.shouldKeepAlive = false;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    if (initialData !== undefined) res.write(`data: ${initialData}\n\n`);
    this.clients.add(res);
    this.gauge.set(this.clients.size);
    res.once("close", () => {
      this.clients.delete(res);
      this.gauge.set(this.clients.size);
    });
  }

  broadcast(data: string): void {
    this.write(`data: ${data}\n\n`);
  }

  closeAll(): void {
    clearInterval(this.keepAlive);
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.gauge.set(0);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      // A client that stopped reading would make us buffer forever: let it go (it reconnects).
      if (res.writableLength > MAX_UNSENT_BYTES) res.destroy();
      else res.write(chunk);
    }
  }
}

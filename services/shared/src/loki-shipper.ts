import winston from "winston";
import LokiTransport from "winston-loki";
import type TransportStream from "winston-transport";

// winston's typings call the base class `transport`; at run time it is exported as `Transport`.
const Transport = (winston as unknown as { Transport: typeof TransportStream }).Transport;

const LEVEL = Symbol.for("level");
const MESSAGE = Symbol.for("message");

export interface LokiShippingOptions {
  url: string;
  service: string;
  /** Most lines held in memory (queued plus being sent); past it new lines are dropped and counted. */
  bufferLines: number;
  /** Called with the number of lines given up on (buffer full, send failed, or shutdown deadline). */
  onDrop: (lines: number) => void;
  batchLines?: number;
  pumpIntervalMs?: number;
  requestTimeoutMs?: number;
}

type LogInfo = winston.Logform.TransformableInfo & { [key: symbol]: unknown };

/**
 * Ships log lines to Loki through winston-loki without ever blocking or growing without bound.
 *
 * winston-loki alone keeps every unsent line (it re-queues a failed batch forever), so this transport
 * owns a bounded queue and hands winston-loki one batch at a time, waiting for that batch to be sent
 * (or to fail) before the next. Labels are only `service` and `level`; the line is the stdout JSON.
 */
export class BoundedLokiTransport extends Transport {
  private readonly options: Required<LokiShippingOptions>;
  private readonly inner: LokiTransport;
  private readonly pumpTimer: NodeJS.Timeout;
  private queue: LogInfo[] = [];
  private inFlight = 0;
  private lastSendFailed = false;
  private pumping: Promise<void> | undefined;
  private shippingStopped = false;

  constructor(options: LokiShippingOptions) {
    super();
    this.options = { batchLines: 1_000, pumpIntervalMs: 250, requestTimeoutMs: 5_000, ...options };
    this.inner = new LokiTransport({
      host: this.options.url,
      labels: { service: this.options.service },
      json: true,
      batching: true,
      interval: 0.2,
      timeout: this.options.requestTimeoutMs,
      clearOnError: true,
      replaceTimestamp: false,
      // Our own shutdown flushes with a deadline; winston-loki's exit hook would call process.exit itself.
      gracefulShutdown: false,
      // Any format makes winston-loki send info[MESSAGE], the same JSON line as stdout.
      format: winston.format.json(),
      onConnectionError: () => {
        this.lastSendFailed = true;
      },
    });
    this.pumpTimer = setInterval(() => void this.pump(), this.options.pumpIntervalMs);
    this.pumpTimer.unref();
  }

  /** Lines waiting in memory: queued plus handed to winston-loki and not yet confirmed. */
  get bufferedLines(): number {
    return this.queue.length + this.inFlight;
  }

  override log(info: LogInfo, callback: () => void): void {
    if (this.shippingStopped || this.bufferedLines >= this.options.bufferLines) {
      this.options.onDrop(1);
    } else {
      this.queue.push(info);
    }
    callback();
  }

  /** Sends what is buffered, giving up after `deadlineMs`; whatever is left unsent is counted as dropped. */
  async flushAndClose(deadlineMs: number): Promise<void> {
    clearInterval(this.pumpTimer);
    const deadline = Date.now() + deadlineMs;
    const timedOut = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), deadlineMs).unref());
    const drain = async (): Promise<void> => {
      while ((this.queue.length > 0 || this.pumping) && Date.now() < deadline) {
        await (this.pumping ?? this.pump());
      }
    };
    await Promise.race([drain(), timedOut]);
    this.shippingStopped = true;
    const unsent = this.bufferedLines;
    if (unsent > 0) this.options.onDrop(unsent);
    this.queue = [];
    this.inFlight = 0;
    const remaining = Math.max(0, deadline - Date.now());
    await Promise.race([this.inner.close().catch(() => undefined), new Promise((r) => setTimeout(r, remaining).unref())]);
  }

  private pump(): Promise<void> {
    if (this.pumping !== undefined || this.queue.length === 0) return Promise.resolve();
    this.pumping = this.sendOneBatch().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async sendOneBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.options.batchLines);
    this.inFlight = batch.length;
    this.lastSendFailed = false;
    for (const info of batch) {
      this.inner.log?.(
        { message: "", timestamp: info["ts"], [LEVEL]: info[LEVEL], [MESSAGE]: info[MESSAGE] },
        () => undefined,
      );
    }
    // Resolves once winston-loki's next send (which carries this batch) succeeded or failed.
    await this.inner.flush();
    // After flushAndClose gave up on this batch it was counted as dropped already.
    if (this.shippingStopped) return;
    if (this.lastSendFailed) this.options.onDrop(batch.length);
    this.inFlight = 0;
  }
}

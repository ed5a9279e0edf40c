import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { QueueStats } from "./work-queue";

export type ProcessedResult = "stored" | "dead_letter" | "retried";

export interface WorkerMetrics {
  processed: Counter<"result">;
  batchDuration: Histogram;
  batchSize: Histogram;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const processed = new Counter({
    name: "votes_processed_total",
    help: "Queue messages handled: stored (upserted), dead_letter (malformed), retried (returned to the queue after a failure).",
    labelNames: ["result"],
    registers: [registry],
  });
  for (const result of ["stored", "dead_letter", "retried"] satisfies ProcessedResult[]) processed.inc({ result }, 0);
  return {
    processed,
    batchDuration: new Histogram({
      name: "vote_batch_duration_seconds",
      help: "Time to take, upsert and acknowledge one batch.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "vote_batch_size",
      help: "Messages per batch.",
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
  };
}

/** Age in seconds of a queue message from its `ts` (ms since epoch); 0 when unknown. */
function messageAgeSeconds(raw: string | null | undefined, now: number): number {
  if (raw === null || raw === undefined) return 0;
  try {
    const ts = (JSON.parse(raw) as { ts?: unknown }).ts;
    return typeof ts === "number" && Number.isFinite(ts) ? Math.max(0, (now - ts) / 1000) : 0;
  } catch {
    return 0;
  }
}

/** Queue depth and oldest-message age, read from Redis when Prometheus scrapes (never stale). */
export function registerQueueGauges(registry: Registry, readStats: () => Promise<QueueStats>): void {
  // Both gauges share one Redis round trip per scrape.
  let pendingRead: Promise<QueueStats | undefined> | undefined;
  const read = (): Promise<QueueStats | undefined> => {
    pendingRead ??= readStats()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (pendingRead = undefined)));
    return pendingRead;
  };
  new Gauge({
    name: "vote_queue_depth",
    help: "Messages in the Redis queue: pending (votes), processing (taken by workers, not acknowledged), dead_letter.",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      const stats = await read();
      // Without Redis the depth is unknown: no sample rather than a stale one (dependency_up says why).
      this.reset();
      if (stats === undefined) return;
      this.set({ queue: "pending" }, stats.pending);
      this.set({ queue: "processing" }, stats.processing);
      this.set({ queue: "dead_letter" }, stats.deadLetter);
    },
  });
  new Gauge({
    name: "vote_queue_oldest_age_seconds",
    help: "Age of the oldest pending vote (from its ts field); 0 when the queue is empty.",
    registers: [registry],
    async collect() {
      const stats = await read();
      this.reset();
      if (stats === undefined) return;
      this.set(messageAgeSeconds(stats.oldestPending, Date.now()));
    },
  });
}

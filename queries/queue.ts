import { num, selector, sumRate } from "./promql";

/** The Redis list between vote and worker. */
export const QUEUE_KEY = "votes";
/** Where the worker moves malformed votes. */
export const DEAD_LETTER_KEY = "votes:dead";

/** Votes waiting in Redis, as redis_exporter sees the list (independent of the worker). */
export function queueDepth(): string {
  return `max(${selector("redis_key_size", { key: QUEUE_KEY })})`;
}

/** Same, as the worker reports it: pending, processing, dead_letter. */
export function queueDepthByList(): string {
  return `max by (queue) (${selector("vote_queue_depth", { service: "worker" })})`;
}

/** Change of the queue length per minute over `window` (positive: growing). */
export function queueGrowthPerMinute(window: string): string {
  return `max(deriv(${selector("redis_key_size", { key: QUEUE_KEY })}[${window}])) * 60`;
}

/** Votes per second pushed by vote. */
export function ingestRate(window: string): string {
  return sumRate("votes_enqueued_total", { service: "vote" }, window);
}

/** Votes per second the worker stored in Postgres. */
export function drainRate(window: string): string {
  return sumRate("votes_processed_total", { service: "worker", result: "stored" }, window);
}

/**
 * Votes per second the worker got off the queue for good: stored in Postgres, or dead-lettered.
 * A vote returned to the queue (`retried`) is not progress: a worker retrying forever against a
 * Postgres that refuses writes makes none.
 */
export function progressRate(window: string): string {
  return sumRate("votes_processed_total", { service: "worker", result: `~${PROGRESS_RESULTS.join("|")}` }, window);
}

/** Results of `votes_processed_total` that take a vote off the queue. */
const PROGRESS_RESULTS = ["stored", "dead_letter"] as const;

/**
 * No worker target is scraped at all (not deployed, or a Deployment scaled to zero): ServiceDown
 * cannot see that, having no target to find down. A worker that is there but down is ServiceDown's
 * page, so it is not this: a dead worker pages once (its counters exist from its first scrape on,
 * at zero).
 */
export function workerAbsent(): string {
  return `absent(${selector("up", { service: "worker" })})`;
}

/** Messages moved to the dead-letter list within `window`. */
export function deadLetters(window: string): string {
  return `sum(increase(${selector("votes_processed_total", { service: "worker", result: "dead_letter" })}[${window}]))`;
}

/** Age of the oldest waiting vote, in seconds. */
export function oldestMessageAge(): string {
  return `max(${selector("vote_queue_oldest_age_seconds", { service: "worker" })})`;
}

/** Queue messages the worker handled per second, by result (stored, dead_letter, retried). */
export function processedRateByResult(window: string): string {
  return sumRate("votes_processed_total", { service: "worker" }, window, ["result"]);
}

/** Duration of one worker batch (pop, upsert, acknowledge) at a quantile, in seconds. */
export function batchDurationQuantile(quantile: number, window: string): string {
  return `histogram_quantile(${num(quantile)}, ${sumRate("vote_batch_duration_seconds_bucket", { service: "worker" }, window, ["le"])})`;
}

import { performance } from "node:perf_hooks";
import { Logger } from "../../shared/src/logger";
import { VoteMessage } from "../../shared/src/queue-keys";
import { errorMessage } from "../../shared/src/timeout";
import { Backoff } from "./backoff";
import { lastVotePerVoter, parseVoteMessage } from "./vote-message";
import { isDataError, isMissingTable, VoteStore } from "./vote-store";
import { WorkQueue } from "./work-queue";
import { WorkerMetrics } from "./worker-metrics";

export interface ConsumerOptions {
  queue: WorkQueue;
  store: VoteStore;
  metrics: WorkerMetrics;
  logger: Logger;
  batchSize: number;
  idleBlockMs: number;
  /** Called after each Redis or Postgres outcome, to keep dependency_up current. */
  onRedis(up: boolean, error?: unknown): void;
  onPostgres(up: boolean, error?: unknown): void;
}

interface Malformed {
  raw: string;
  reason: string;
}

interface ValidVote {
  raw: string;
  message: VoteMessage;
}

class PostgresFailure extends Error {
  constructor(readonly cause: unknown) {
    super(errorMessage(cause));
  }
}

const LOGGED_MESSAGE_CHARS = 200;

/**
 * The worker loop: take a batch, store it in one transaction, acknowledge it. A batch is only removed
 * from Redis after its commit, so a crash at any point loses nothing (it may store a batch twice,
 * which the upsert makes harmless).
 */
export class Consumer {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private schemaReady = false;
  private readonly backoff = new Backoff();
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(private readonly options: ConsumerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops taking batches and waits for the one in flight until `deadline` (ms since epoch). Whatever
   * this worker still holds then goes back to the head of the queue. Resolves to whether the batch
   * in flight finished.
   */
  async stop(deadline: number, abortWait: () => void): Promise<boolean> {
    this.stopping = true;
    this.wake();
    abortWait();
    const finished = await Promise.race([
      (this.loop ?? Promise.resolve()).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())).unref()),
    ]);
    if (!finished) this.options.logger.warn("in-flight batch not finished by the shutdown deadline; returning it to the queue");
    return finished;
  }

  private async run(): Promise<void> {
    const { queue, logger } = this.options;
    // The next batch comes with the acknowledgement of the previous one; after an error or an idle
    // wait it is taken on its own.
    let batch: string[] | undefined;
    while (!this.stopping) {
      try {
        batch ??= await queue.take(this.options.batchSize);
        this.options.onRedis(true);
        if (batch.length === 0) {
          batch = undefined;
          await queue.waitForWork(this.options.idleBlockMs);
          continue;
        }
        batch = await this.processBatch(batch);
        this.backoff.reset();
      } catch (error) {
        batch = undefined;
        if (this.stopping) break;
        if (error instanceof PostgresFailure) {
          this.options.onPostgres(false, error.cause);
        } else {
          this.options.onRedis(false, error);
        }
        const delayMs = this.backoff.nextDelayMs();
        logger.warn("batch failed, retrying", { err: errorMessage(error), retryInMs: Math.round(delayMs) });
        await this.sleep(delayMs);
      }
    }
  }

  /** Stores and acknowledges the batch; resolves to the next one (empty when stopping). */
  private async processBatch(batch: string[]): Promise<string[]> {
    const { queue, metrics, logger } = this.options;
    const started = performance.now();
    const votes: ValidVote[] = [];
    const malformed: Malformed[] = [];
    for (const raw of batch) {
      const parsed = parseVoteMessage(raw);
      if (parsed.ok) votes.push({ raw, message: parsed.vote });
      else malformed.push({ raw, reason: parsed.reason });
    }

    let stored = votes.length;
    try {
      const rejected = await this.store(votes);
      stored -= rejected.length;
      malformed.push(...rejected);
      if (votes.length > 0) this.options.onPostgres(true);
    } catch (error) {
      const returned = await queue.giveBack().catch(() => 0);
      // When Redis is away too, the batch stays in the processing list and take() delivers it again.
      metrics.processed.inc({ result: "retried" }, returned);
      throw new PostgresFailure(error);
    }

    const deadLetters = malformed.map((m) => m.raw);
    let next: string[] = [];
    if (this.stopping) await queue.acknowledge(deadLetters);
    else next = await queue.acknowledgeAndTake(deadLetters, this.options.batchSize);
    for (const { raw, reason } of malformed) {
      logger.warn("vote moved to the dead-letter list", { reason, payload: raw.slice(0, LOGGED_MESSAGE_CHARS) });
    }
    metrics.processed.inc({ result: "stored" }, stored);
    metrics.processed.inc({ result: "dead_letter" }, malformed.length);
    metrics.batchSize.observe(batch.length);
    metrics.batchDuration.observe((performance.now() - started) / 1000);
    return next;
  }

  /** Upserts the batch; returns the votes PostgreSQL refused as data (they go to the dead-letter list). */
  private async store(votes: ValidVote[]): Promise<Malformed[]> {
    const { store } = this.options;
    if (votes.length === 0) return [];
    if (!this.schemaReady) {
      await store.ensureSchema();
      this.schemaReady = true;
    }
    try {
      await store.upsert(lastVotePerVoter(votes.map((v) => v.message)));
      return [];
    } catch (error) {
      if (isMissingTable(error)) this.schemaReady = false;
      if (!isDataError(error)) throw error;
      return this.storeOneByOne(votes);
    }
  }

  /** A batch refused for its data: store the votes one at a time to find the ones at fault. */
  private async storeOneByOne(votes: ValidVote[]): Promise<Malformed[]> {
    const rejected: Malformed[] = [];
    for (const [voterId, vote] of lastVotePerVoter(votes.map((v) => v.message))) {
      try {
        await this.options.store.upsert(new Map([[voterId, vote]]));
      } catch (error) {
        if (!isDataError(error)) throw error;
        const reason = `refused by postgres: ${errorMessage(error)}`;
        for (const { raw, message } of votes) if (message.voter_id === voterId) rejected.push({ raw, reason });
      }
    }
    return rejected;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping = { timer, wake };
    });
  }

  private wake(): void {
    this.sleeping?.wake();
  }
}

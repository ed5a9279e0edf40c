import Redis from "ioredis";
import { QUEUE_KEYS } from "../../shared/src/queue-keys";
import { ACKNOWLEDGE_AND_TAKE, ACKNOWLEDGE_BATCH, GIVE_BACK_BATCH, QUEUE_STATS, RECOVER_WORKER, TAKE_BATCH } from "./queue-scripts";

type ScriptResult = Promise<unknown>;
interface QueueCommands {
  voteobsTakeBatch(pending: string, processing: string, heartbeat: string, workers: string, size: number, workerId: string, ttlMs: number): ScriptResult;
  voteobsAcknowledgeBatch(processing: string, deadLetter: string, ...malformed: string[]): ScriptResult;
  voteobsAcknowledgeAndTake(
    processing: string, deadLetter: string, pending: string, heartbeat: string, workers: string,
    size: number, workerId: string, ttlMs: number, ...malformed: string[]
  ): ScriptResult;
  voteobsGiveBackBatch(processing: string, pending: string): ScriptResult;
  voteobsRecoverWorker(processing: string, heartbeat: string, workers: string, pending: string, workerId: string): ScriptResult;
  /** Variable number of keys: the key count comes first. */
  voteobsQueueStats(numberOfKeys: number, ...keysThenArgs: string[]): ScriptResult;
}
type QueueRedis = Redis & QueueCommands;
type QueuePipeline = ReturnType<Redis["pipeline"]> & { voteobsRecoverWorker: (...args: Parameters<QueueCommands["voteobsRecoverWorker"]>) => QueuePipeline };

/** Keys asked for per SCAN call: each call does bounded work, however large the keyspace. */
const SCAN_COUNT = 200;

const PROCESSING_PREFIX = QUEUE_KEYS.processing("");

export interface QueueStats {
  pending: number;
  processing: number;
  deadLetter: number;
  /** The raw message at the head of `votes`, or null when empty. */
  oldestPending: string | null;
}

/**
 * This worker's view of the Redis queue: take a batch into its own processing list, acknowledge it
 * after the commit, give it back after a failure, and recover the lists of workers that died.
 */
export class WorkQueue {
  private readonly redis: QueueRedis;
  private readonly processingKey: string;
  private readonly heartbeatKey: string;

  constructor(
    redis: Redis,
    /** A separate connection, because BLMOVE blocks the connection it runs on. */
    private readonly blocking: Redis,
    private readonly workerId: string,
    private readonly heartbeatTtlMs: number,
  ) {
    redis.defineCommand("voteobsTakeBatch", { numberOfKeys: 4, lua: TAKE_BATCH });
    redis.defineCommand("voteobsAcknowledgeBatch", { numberOfKeys: 2, lua: ACKNOWLEDGE_BATCH });
    redis.defineCommand("voteobsAcknowledgeAndTake", { numberOfKeys: 5, lua: ACKNOWLEDGE_AND_TAKE });
    redis.defineCommand("voteobsGiveBackBatch", { numberOfKeys: 2, lua: GIVE_BACK_BATCH });
    redis.defineCommand("voteobsRecoverWorker", { numberOfKeys: 4, lua: RECOVER_WORKER });
    redis.defineCommand("voteobsQueueStats", { lua: QUEUE_STATS });
    this.redis = redis as QueueRedis;
    this.processingKey = QUEUE_KEYS.processing(workerId);
    this.heartbeatKey = QUEUE_KEYS.heartbeat(workerId);
  }

  /** Messages of this worker's current batch (up to `size`, more if an older unacknowledged batch was bigger). */
  async take(size: number): Promise<string[]> {
    const { pending, workers } = QUEUE_KEYS;
    return (await this.redis.voteobsTakeBatch(pending, this.processingKey, this.heartbeatKey, workers, size, this.workerId, this.heartbeatTtlMs)) as string[];
  }

  /** Removes the batch; malformed messages move to the dead-letter list in the same step. */
  async acknowledge(malformed: readonly string[]): Promise<void> {
    await this.redis.voteobsAcknowledgeBatch(this.processingKey, QUEUE_KEYS.deadLetter, ...malformed);
  }

  /** acknowledge() and take() in one round trip. */
  async acknowledgeAndTake(malformed: readonly string[], size: number): Promise<string[]> {
    const { deadLetter, pending, workers } = QUEUE_KEYS;
    return (await this.redis.voteobsAcknowledgeAndTake(
      this.processingKey, deadLetter, pending, this.heartbeatKey, workers, size, this.workerId, this.heartbeatTtlMs, ...malformed,
    )) as string[];
  }

  /** Returns the batch to the head of the queue in order; resolves to how many messages went back. */
  async giveBack(): Promise<number> {
    return (await this.redis.voteobsGiveBackBatch(this.processingKey, QUEUE_KEYS.pending)) as number;
  }

  /**
   * Waits up to `timeoutMs` for one message, moving it into the processing list (taken by the next
   * take()). The heartbeat is refreshed in the same pipeline, right before the move starts waiting
   * on the same connection: with a TTL longer than the wait (the config insists), the heartbeat
   * outlives the wait even when this process stalls, so a vote the move takes is never in the list
   * of a worker that looks dead.
   */
  async waitForWork(timeoutMs: number): Promise<void> {
    const results = await this.blocking
      .pipeline()
      .set(this.heartbeatKey, "1", "PX", this.heartbeatTtlMs)
      .sadd(QUEUE_KEYS.workers, this.workerId)
      .blmove(QUEUE_KEYS.pending, this.processingKey, "LEFT", "RIGHT", timeoutMs / 1000)
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
  }

  async heartbeat(): Promise<void> {
    await this.redis.multi().set(this.heartbeatKey, "1", "PX", this.heartbeatTtlMs).sadd(QUEUE_KEYS.workers, this.workerId).exec();
  }

  /** Forgets this worker (after its processing list was given back). */
  async leave(): Promise<void> {
    await this.redis.multi().del(this.heartbeatKey).srem(QUEUE_KEYS.workers, this.workerId).exec();
  }

  /**
   * Returns the batches of dead workers to the queue; resolves to {workerId: messages returned} for
   * each dead worker forgotten. Candidates are the registry and every `votes:processing:*` list
   * (SCAN): a list whose worker has no live heartbeat is recovered whether or not it is registered.
   */
  async recoverOrphans(): Promise<Map<string, number>> {
    const ids = new Set(await this.redis.smembers(QUEUE_KEYS.workers));
    for (const key of await this.processingLists()) ids.add(key.slice(PROCESSING_PREFIX.length));
    const recovered = new Map<string, number>();
    if (ids.size === 0) return recovered;
    const pipeline = this.redis.pipeline() as QueuePipeline;
    for (const id of ids) pipeline.voteobsRecoverWorker(QUEUE_KEYS.processing(id), QUEUE_KEYS.heartbeat(id), QUEUE_KEYS.workers, QUEUE_KEYS.pending, id);
    const results = (await pipeline.exec()) ?? [];
    [...ids].forEach((id, i) => {
      const [error, returned] = results[i] ?? [new Error("no reply")];
      if (error) throw error;
      if (Number(returned) >= 0) recovered.set(id, Number(returned));
    });
    return recovered;
  }

  /** Queue depths in one atomic read; `processing` counts every processing list, registered or not. */
  async stats(): Promise<QueueStats> {
    const keys = [QUEUE_KEYS.pending, QUEUE_KEYS.deadLetter, QUEUE_KEYS.workers, ...(await this.processingLists())];
    const [pending, processing, deadLetter, oldest] = (await this.redis.voteobsQueueStats(keys.length, ...keys, PROCESSING_PREFIX)) as [
      number,
      number,
      number,
      string | null,
    ];
    return { pending, processing, deadLetter, oldestPending: oldest };
  }

  /** Every `votes:processing:*` key, found with SCAN in bounded steps (never KEYS). */
  private async processingLists(): Promise<string[]> {
    const found = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${PROCESSING_PREFIX}*`, "COUNT", SCAN_COUNT);
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== "0");
    return [...found];
  }

  ping(): Promise<unknown> {
    return this.redis.ping();
  }
}

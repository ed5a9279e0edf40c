import Redis from "ioredis";
import { QUEUE_KEYS } from "../../shared/src/queue-keys";
import { ACKNOWLEDGE_AND_TAKE, ACKNOWLEDGE_BATCH, GIVE_BACK_BATCH, QUEUE_STATS, RECOVER_ORPHANS, TAKE_BATCH } from "./queue-scripts";

type ScriptResult = Promise<unknown>;
interface QueueCommands {
  voteobsTakeBatch(pending: string, processing: string, heartbeat: string, workers: string, size: number, workerId: string, ttlMs: number): ScriptResult;
  voteobsAcknowledgeBatch(processing: string, deadLetter: string, ...malformed: string[]): ScriptResult;
  voteobsAcknowledgeAndTake(
    processing: string, deadLetter: string, pending: string, heartbeat: string, workers: string,
    size: number, workerId: string, ttlMs: number, ...malformed: string[]
  ): ScriptResult;
  voteobsGiveBackBatch(processing: string, pending: string): ScriptResult;
  voteobsRecoverOrphans(workers: string, pending: string, processingPrefix: string, heartbeatPrefix: string): ScriptResult;
  voteobsQueueStats(pending: string, deadLetter: string, workers: string, processingPrefix: string): ScriptResult;
}
type QueueRedis = Redis & QueueCommands;

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
    redis.defineCommand("voteobsRecoverOrphans", { numberOfKeys: 2, lua: RECOVER_ORPHANS });
    redis.defineCommand("voteobsQueueStats", { numberOfKeys: 3, lua: QUEUE_STATS });
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

  /** Waits up to `timeoutMs` for one message, moving it into the processing list (taken by the next take()). */
  async waitForWork(timeoutMs: number): Promise<void> {
    await this.blocking.blmove(QUEUE_KEYS.pending, this.processingKey, "LEFT", "RIGHT", timeoutMs / 1000);
  }

  async heartbeat(): Promise<void> {
    await this.redis.multi().set(this.heartbeatKey, "1", "PX", this.heartbeatTtlMs).sadd(QUEUE_KEYS.workers, this.workerId).exec();
  }

  /** Forgets this worker (after its processing list was given back). */
  async leave(): Promise<void> {
    await this.redis.multi().del(this.heartbeatKey).srem(QUEUE_KEYS.workers, this.workerId).exec();
  }

  /** Returns the batches of dead workers to the queue; resolves to {workerId: messages returned}. */
  async recoverOrphans(): Promise<Map<string, number>> {
    const flat = (await this.redis.voteobsRecoverOrphans(
      QUEUE_KEYS.workers,
      QUEUE_KEYS.pending,
      QUEUE_KEYS.processing(""),
      QUEUE_KEYS.heartbeat(""),
    )) as (string | number)[];
    const recovered = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) recovered.set(String(flat[i]), Number(flat[i + 1]));
    return recovered;
  }

  async stats(): Promise<QueueStats> {
    const [pending, processing, deadLetter, oldest] = (await this.redis.voteobsQueueStats(
      QUEUE_KEYS.pending,
      QUEUE_KEYS.deadLetter,
      QUEUE_KEYS.workers,
      QUEUE_KEYS.processing(""),
    )) as [number, number, number, string | null];
    return { pending, processing, deadLetter, oldestPending: oldest };
  }

  ping(): Promise<unknown> {
    return this.redis.ping();
  }
}

import Redis from "ioredis";
import { Counter, Registry } from "prom-client";
import { QUEUE_KEYS, VoteMessage } from "../../shared/src/queue-keys";
import { OptionKey } from "./voter-cookie";

interface PendingVote {
  message: string;
  option: OptionKey;
  accepted: () => void;
  refused: (error: unknown) => void;
}

/** Upper bound of votes per RPUSH, so one command never grows without limit under a burst. */
const MAX_VOTES_PER_PUSH = 1_000;

/**
 * Puts votes on the Redis list, acknowledging each only after Redis accepted it.
 *
 * Votes that arrive in the same turn of the event loop go out as one RPUSH with many values: one
 * command, one reply and one round trip for all of them, instead of one each. RPUSH is atomic, so
 * each vote of the batch is stored or (on error) none is, and every caller hears which.
 */
export class VoteQueue {
  private readonly enqueued: Counter<"option">;
  private pending: PendingVote[] = [];
  private flushScheduled = false;

  constructor(private readonly redis: Redis, registry: Registry) {
    this.enqueued = new Counter({
      name: "votes_enqueued_total",
      help: "Votes accepted by Redis, by option.",
      labelNames: ["option"],
      registers: [registry],
    });
    for (const option of ["a", "b"]) this.enqueued.inc({ option }, 0);
  }

  enqueue(voterId: string, option: OptionKey): Promise<void> {
    if (this.redis.status !== "ready") return Promise.reject(notConnected(this.redis));
    const vote: VoteMessage = { voter_id: voterId, vote: option, ts: Date.now() };
    return new Promise((accepted, refused) => {
      this.pending.push({ message: JSON.stringify(vote), option, accepted, refused });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  ping(): Promise<unknown> {
    return this.redis.status === "ready" ? this.redis.ping() : Promise.reject(notConnected(this.redis));
  }

  private flush(): void {
    this.flushScheduled = false;
    const all = this.pending;
    this.pending = [];
    for (let start = 0; start < all.length; start += MAX_VOTES_PER_PUSH) this.push(all.slice(start, start + MAX_VOTES_PER_PUSH));
  }

  private push(batch: PendingVote[]): void {
    this.redis.rpush(QUEUE_KEYS.pending, ...batch.map((vote) => vote.message)).then(
      () => {
        let a = 0;
        for (const vote of batch) if (vote.option === "a") a++;
        if (a > 0) this.enqueued.inc({ option: "a" }, a);
        if (batch.length > a) this.enqueued.inc({ option: "b" }, batch.length - a);
        for (const vote of batch) vote.accepted();
      },
      (error: unknown) => {
        for (const vote of batch) vote.refused(error);
      },
    );
  }
}

function notConnected(redis: Redis): Error {
  return new Error(`redis not connected (${redis.status})`);
}

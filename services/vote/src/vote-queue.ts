import Redis from "ioredis";
import { Counter, Registry } from "prom-client";
import { QUEUE_KEYS, VoteMessage } from "../../shared/src/queue-keys";
import { OptionKey } from "./voter-cookie";

/** Puts votes on the Redis list in one round trip, counting only those Redis accepted. */
export class VoteQueue {
  private readonly enqueued: Counter<"option">;

  constructor(private readonly redis: Redis, registry: Registry) {
    this.enqueued = new Counter({
      name: "votes_enqueued_total",
      help: "Votes accepted by Redis, by option.",
      labelNames: ["option"],
      registers: [registry],
    });
    for (const option of ["a", "b"]) this.enqueued.inc({ option }, 0);
  }

  async enqueue(voterId: string, option: OptionKey): Promise<void> {
    if (this.redis.status !== "ready") throw notConnected(this.redis);
    const message: VoteMessage = { voter_id: voterId, vote: option, ts: Date.now() };
    await this.redis.rpush(QUEUE_KEYS.pending, JSON.stringify(message));
    this.enqueued.inc({ option });
  }

  ping(): Promise<unknown> {
    return this.redis.status === "ready" ? this.redis.ping() : Promise.reject(notConnected(this.redis));
  }
}

function notConnected(redis: Redis): Error {
  return new Error(`redis not connected (${redis.status})`);
}

import Redis from "ioredis";
import { Client } from "pg";
import { Cleanup } from "./cleanup";

/** A Redis client for assertions; quiet while Redis is down on purpose. */
export function testRedis(url: string, cleanup: Cleanup, password?: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, ...(password === undefined ? {} : { password }) });
  redis.on("error", () => undefined);
  cleanup.add(async () => redis.disconnect());
  return redis;
}

export async function testPostgres(url: string, cleanup: Cleanup): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  cleanup.add(() => client.end());
  return client;
}

export const CREATE_VOTES_TABLE = "CREATE TABLE IF NOT EXISTS votes (id VARCHAR(255) NOT NULL UNIQUE, vote VARCHAR(255) NOT NULL)";

export function voteJson(voterId: string, vote: string, ts: number | undefined = Date.now()): string {
  return JSON.stringify(ts === undefined ? { voter_id: voterId, vote } : { voter_id: voterId, vote, ts });
}

/** Messages still held anywhere in the queue: pending plus every processing list. */
export async function messagesInQueue(redis: Redis): Promise<number> {
  let total = await redis.llen("votes");
  for (const key of await redis.keys("votes:processing:*")) total += await redis.llen(key);
  return total;
}

export async function storedVotes(pg: Client): Promise<Map<string, string>> {
  const { rows } = await pg.query<{ id: string; vote: string }>("SELECT id, vote FROM votes");
  return new Map(rows.map((row) => [row.id, row.vote]));
}

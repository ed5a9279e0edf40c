import Redis from "ioredis";
import { Client } from "pg";

/** Votes still held anywhere in the Redis queue: pending plus every worker's processing list. */
export async function votesInQueue(server: { url: string; password?: string }): Promise<number> {
  const redis = new Redis(server.url, { password: server.password, maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    let total = await redis.llen("votes");
    for (const key of await redis.keys("votes:processing:*")) total += await redis.llen(key);
    return total;
  } finally {
    redis.disconnect();
  }
}

/** Every row of the votes table: voter id → vote. */
export async function storedVotes(databaseUrl: string): Promise<Map<string, string>> {
  const client = new Client({ connectionString: databaseUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; vote: string }>("SELECT id, vote FROM votes");
    return new Map(rows.map((row) => [row.id, row.vote]));
  } finally {
    await client.end();
  }
}

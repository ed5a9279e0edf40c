/**
 * Lua scripts that make each queue step atomic in Redis. A script runs alone, so a crash between two
 * of its commands cannot happen: a vote is always in exactly one of `votes`, a processing list, or
 * (after commit) nowhere.
 */

interface TakeKeys {
  pending: string;
  processing: string;
  heartbeat: string;
  workers: string;
}

/**
 * Refreshes the heartbeat, tops the processing list up to the batch size from the head of `pending`
 * and returns all of it: an unacknowledged batch (e.g. Redis went away after the commit) is
 * delivered again before anything new. ARGV[1..3]: batch size, worker id, heartbeat TTL (ms).
 */
function takeBatch(keys: TakeKeys): string {
  return `
redis.call('SET', ${keys.heartbeat}, '1', 'PX', ARGV[3])
redis.call('SADD', ${keys.workers}, ARGV[2])
local room = tonumber(ARGV[1]) - redis.call('LLEN', ${keys.processing})
if room > 0 then
  local items = redis.call('LRANGE', ${keys.pending}, 0, room - 1)
  if #items > 0 then
    redis.call('LTRIM', ${keys.pending}, #items, -1)
    redis.call('RPUSH', ${keys.processing}, unpack(items))
  end
end
return redis.call('LRANGE', ${keys.processing}, 0, -1)
`;
}

/** KEYS: pending, processing, heartbeat, workers. ARGV: batch size, worker id, heartbeat TTL (ms). */
export const TAKE_BATCH = takeBatch({ pending: "KEYS[1]", processing: "KEYS[2]", heartbeat: "KEYS[3]", workers: "KEYS[4]" });

/** KEYS: processing, dead letter. ARGV: the malformed messages. Acknowledges the whole batch. */
export const ACKNOWLEDGE_BATCH = `
if #ARGV > 0 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV))
end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: processing, dead letter, pending, heartbeat, workers.
 * ARGV: batch size, worker id, heartbeat TTL (ms), then the malformed messages.
 * Acknowledges the batch and takes the next one in the same round trip.
 */
export const ACKNOWLEDGE_AND_TAKE = `
if #ARGV > 3 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 4))
end
redis.call('DEL', KEYS[1])
${takeBatch({ pending: "KEYS[3]", processing: "KEYS[1]", heartbeat: "KEYS[4]", workers: "KEYS[5]" })}`;

/**
 * KEYS: processing, pending. Puts the processing list back at the head of \`pending\` in its original
 * order (LPUSH prepends, so the items go in last to first). Returns how many were returned.
 */
export const GIVE_BACK_BATCH = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  redis.call('LPUSH', KEYS[2], items[i])
end
redis.call('DEL', KEYS[1])
return #items
`;

/**
 * KEYS: workers, pending. ARGV: processing key prefix, heartbeat key prefix.
 * For each registered worker whose heartbeat expired (it crashed or was killed), returns its
 * processing list to the head of \`pending\` in order and forgets the worker.
 * Returns {workerId, count, ...}. The per-worker keys are derived inside the script, which is fine
 * on a single Redis (not on Redis Cluster).
 */
export const RECOVER_ORPHANS = `
local recovered = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[2] .. id) == 0 then
    local list = ARGV[1] .. id
    local items = redis.call('LRANGE', list, 0, -1)
    for i = #items, 1, -1 do
      redis.call('LPUSH', KEYS[2], items[i])
    end
    redis.call('DEL', list)
    redis.call('SREM', KEYS[1], id)
    table.insert(recovered, id)
    table.insert(recovered, #items)
  end
end
return recovered
`;

/**
 * KEYS: pending, dead letter, workers. ARGV: processing key prefix.
 * Returns {pending length, processing total, dead-letter length, head of pending or false}.
 */
export const QUEUE_STATS = `
local processing = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  processing = processing + redis.call('LLEN', ARGV[1] .. id)
end
return {redis.call('LLEN', KEYS[1]), processing, redis.call('LLEN', KEYS[2]), redis.call('LINDEX', KEYS[1], 0)}
`;

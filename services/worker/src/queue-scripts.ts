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
 * KEYS: processing list, heartbeat, workers, pending. ARGV: worker id.
 * When the worker's heartbeat has expired (it crashed, was killed, or stalled past its TTL), returns
 * its processing list to the head of \`pending\` in order and forgets the worker, whether or not it
 * was in the registry. Returns how many messages went back, or -1 when the worker is alive.
 */
export const RECOVER_WORKER = `
if redis.call('EXISTS', KEYS[2]) == 1 then
  return -1
end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  redis.call('LPUSH', KEYS[4], items[i])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return #items
`;

/**
 * KEYS: pending, dead letter, workers, then the processing lists found by SCAN. ARGV: processing key prefix.
 * Counts every processing list, found by SCAN or through the registry (a list created after the SCAN
 * belongs to a worker that registered in the same step), in one atomic read, so a message moving
 * between lists is never missed or counted twice.
 * Returns {pending length, processing total, dead-letter length, head of pending or false}.
 */
export const QUEUE_STATS = `
local counted = {}
local processing = 0
local function count(key)
  if not counted[key] then
    counted[key] = true
    processing = processing + redis.call('LLEN', key)
  end
end
for i = 4, #KEYS do
  count(KEYS[i])
end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  count(ARGV[1] .. id)
end
return {redis.call('LLEN', KEYS[1]), processing, redis.call('LLEN', KEYS[2]), redis.call('LINDEX', KEYS[1], 0)}
`;

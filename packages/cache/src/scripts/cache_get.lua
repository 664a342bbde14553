-- Reads one cache entry and records the access (hit/miss, LRU clock or LFU count) in one round trip.
-- KEYS: 1 entry, 2 index, 3 expiries (= index for TTL-only), 4 stats, 5 member tags, 6 lease
-- ARGV: 1 member, 2 strategy (lru|lfu|ttl), 3 mode (0 value only, 1 getOrSet),
--       4 lease token, 5 lease ms, 6 entry prefix, 7 tag prefix
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('HINCRBY', KEYS[4], 'hits', 1)
  local strategy = ARGV[2]
  if strategy == 'lru' then
    redis.call('ZADD', KEYS[2], 'XX', redis.call('HINCRBY', KEYS[4], 'clock', 1), ARGV[1])
  elseif strategy == 'lfu' then
    redis.call('ZADD', KEYS[2], 'XX', 'INCR', 1, ARGV[1])
  end
  if ARGV[3] == '0' then return v end
  return { v, redis.call('PTTL', KEYS[1]), redis.call('HGET', KEYS[4], 'gen') or '0' }
end
redis.call('HINCRBY', KEYS[4], 'misses', 1)
-- An entry that expired leaves its member behind in the index: drop it now.
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  drop(ARGV[6], KEYS[2], KEYS[3], KEYS[5], ARGV[7], ARGV[1])
  redis.call('HINCRBY', KEYS[4], 'expired', 1)
end
if ARGV[3] == '0' then return false end
local leased = redis.call('SET', KEYS[6], ARGV[4], 'NX', 'PX', ARGV[5])
return { false, leased and 1 or 0, redis.call('HGET', KEYS[4], 'gen') or '0' }

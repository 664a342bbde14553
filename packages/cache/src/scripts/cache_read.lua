-- The hit path of `get`: reads one entry and records the access, with as few keys and
-- arguments as possible (argument count is most of the cost at high concurrency). Members of
-- expired entries are left for the next write's prune.
-- KEYS: 1 entry, 2 index, 3 stats
-- ARGV: 1 member, 2 strategy (lru|lfu|ttl)
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('HINCRBY', KEYS[3], 'hits', 1)
  local strategy = ARGV[2]
  if strategy == 'lru' then
    redis.call('ZADD', KEYS[2], 'XX', redis.call('HINCRBY', KEYS[3], 'clock', 1), ARGV[1])
  elseif strategy == 'lfu' then
    redis.call('ZADD', KEYS[2], 'XX', 'INCR', 1, ARGV[1])
  end
  return v
end
redis.call('HINCRBY', KEYS[3], 'misses', 1)
return false

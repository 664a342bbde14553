-- Writes one cache entry, evicting by the namespace's strategy to stay within its max size.
-- KEYS: 1 entry, 2 index, 3 expiries (= index for TTL-only), 4 stats, 5 member tags, 6 lease
-- ARGV: 1 member, 2 value, 3 ttl ms, 4 strategy (lru|lfu|ttl), 5 max size, 6 entry prefix,
--       7 tag prefix, 8 lease token ('' = unconditional write), 9 generation seen by the loader,
--       10 tag count n, 11..10+n tags (escaped), then this process's unflushed reads
--       (misses, then member/reads pairs: see apply_reads), applied before any eviction
-- Returns { written (0/1), evicted count, evicted members } (the members for near caches).
local member = ARGV[1]
local tag_count = tonumber(ARGV[10])
apply_reads(KEYS[2], KEYS[4], ARGV[4], 11 + tag_count)
if ARGV[8] ~= '' then
  -- A loader's write: only if it still holds the lease and nothing was invalidated meanwhile.
  if redis.call('GET', KEYS[6]) ~= ARGV[8] then return { 0, 0 } end
  if (redis.call('HGET', KEYS[4], 'gen') or '0') ~= ARGV[9] then
    redis.call('DEL', KEYS[6])
    return { 0, 0 }
  end
end
-- Any write ends the lease: an older loader still running must not overwrite this value.
redis.call('DEL', KEYS[6])
local now = now_ms()
local ttl = tonumber(ARGV[3])
local strategy = ARGV[4]
local max_size = tonumber(ARGV[5])
prune(ARGV[6], KEYS[2], KEYS[3], KEYS[5], ARGV[7], KEYS[4], now, 100)
local exists = redis.call('ZSCORE', KEYS[2], member)
local evicted = 0
local victims = {}
if exists then
  local old = redis.call('HGET', KEYS[5], member)
  if old then
    for tag in string.gmatch(old, '[^\n]+') do redis.call('SREM', ARGV[7] .. tag, member) end
    redis.call('HDEL', KEYS[5], member)
  end
else
  while redis.call('ZCARD', KEYS[2]) >= max_size do
    local victim = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
    if not victim then break end
    drop(ARGV[6], KEYS[2], KEYS[3], KEYS[5], ARGV[7], victim)
    evicted = evicted + 1
    victims[evicted] = victim
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
if strategy == 'ttl' then
  redis.call('ZADD', KEYS[2], now + ttl, member)
else
  if strategy == 'lfu' then
    if exists then redis.call('ZADD', KEYS[2], 'INCR', 1, member) else redis.call('ZADD', KEYS[2], 1, member) end
  else
    redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[4], 'clock', 1), member)
  end
  redis.call('ZADD', KEYS[3], now + ttl, member)
end
if tag_count > 0 then
  local tags = {}
  for i = 11, 10 + tag_count do
    redis.call('SADD', ARGV[7] .. ARGV[i], member)
    tags[#tags + 1] = ARGV[i]
  end
  redis.call('HSET', KEYS[5], member, table.concat(tags, '\n'))
end
redis.call('HINCRBY', KEYS[4], 'sets', 1)
if evicted > 0 then redis.call('HINCRBY', KEYS[4], 'evictions', evicted) end
return { 1, evicted, victims }

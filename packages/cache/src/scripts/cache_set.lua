-- Writes one cache entry, evicting by the namespace's strategy to stay within its max size.
-- KEYS: 1 entry, 2 index, 3 expiries (= index for TTL-only), 4 stats, 5 member tags, 6 lease
-- ARGV: 1 member, 2 value, 3 value flags ('' = ARGV[2] is the whole stored bytes; else ARGV[2] is
--       a JSON body, stored behind the two header bytes 0xCA, flags: the client then sends only
--       strings, which it encodes more cheaply), 4 ttl ms, 5 strategy (lru|lfu|ttl), 6 max size,
--       7 entry prefix, 8 tag prefix, 9 lease token ('' = unconditional write), 10 generation
--       seen by the loader, 11 tag count n, 12..11+n tags (escaped), then this process's
--       unflushed reads (misses, then member/reads pairs: see apply_reads), applied before any
--       eviction
-- Returns { written (0/1), evicted count, evicted members } (the members for near caches).
--
-- Each redis.call costs about a microsecond on top of its command, so the common write (a new
-- member below the max size, or a rewrite) makes eight: the member is indexed first (ZADD says
-- whether it is new), and only a new member in a full namespace prunes expired members and
-- evicts; the member just written is never the victim (its LFU count of 1 or its expiry may be
-- the lowest score). Expired members of a namespace that is not full wait for that, or for
-- `stats` (both prune), or for the read that misses them.
local member = ARGV[1]
local tag_count = tonumber(ARGV[11])
apply_reads(KEYS[2], KEYS[4], ARGV[5], 12 + tag_count)
if ARGV[9] ~= '' then
  -- A loader's write: only if it still holds the lease and nothing was invalidated meanwhile.
  if redis.call('GET', KEYS[6]) ~= ARGV[9] then return { 0, 0 } end
  if (redis.call('HGET', KEYS[4], 'gen') or '0') ~= ARGV[10] then
    redis.call('DEL', KEYS[6])
    return { 0, 0 }
  end
end
-- Any write ends the lease: an older loader still running must not overwrite this value.
redis.call('DEL', KEYS[6])
local now = now_ms()
local ttl = tonumber(ARGV[4])
local strategy = ARGV[5]
local added
if strategy == 'ttl' then
  added = redis.call('ZADD', KEYS[2], now + ttl, member)
else
  if strategy == 'lfu' then
    added = redis.call('ZADD', KEYS[2], 'NX', 1, member)
    if added == 0 then redis.call('ZINCRBY', KEYS[2], 1, member) end
  else
    added = redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[4], 'clock', 1), member)
  end
  redis.call('ZADD', KEYS[3], now + ttl, member)
end
local value = ARGV[2]
if ARGV[3] ~= '' then value = '\202' .. string.char(tonumber(ARGV[3])) .. value end
redis.call('SET', KEYS[1], value, 'PX', ttl)
local evicted = 0
local victims = {}
if added == 0 then
  -- A rewrite: the new tags replace the old ones.
  local old = redis.call('HGET', KEYS[5], member)
  if old then
    for tag in string.gmatch(old, '[^\n]+') do redis.call('SREM', ARGV[8] .. tag, member) end
    redis.call('HDEL', KEYS[5], member)
  end
else
  local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6])
  if over > 0 then
    over = over - prune(ARGV[7], KEYS[2], KEYS[3], KEYS[5], ARGV[8], KEYS[4], now, 100)
    if over > 0 then
      -- The lowest `over + 1` hold `over` victims other than this member.
      for _, victim in ipairs(redis.call('ZRANGE', KEYS[2], 0, over)) do
        if evicted == over then break end
        if victim ~= member then
          drop(ARGV[7], KEYS[2], KEYS[3], KEYS[5], ARGV[8], victim)
          evicted = evicted + 1
          victims[evicted] = victim
        end
      end
    end
  end
end
if tag_count > 0 then
  local tags = {}
  for i = 12, 11 + tag_count do
    redis.call('SADD', ARGV[8] .. ARGV[i], member)
    tags[#tags + 1] = ARGV[i]
  end
  redis.call('HSET', KEYS[5], member, table.concat(tags, '\n'))
end
redis.call('HINCRBY', KEYS[4], 'sets', 1)
if evicted > 0 then redis.call('HINCRBY', KEYS[4], 'evictions', evicted) end
return { 1, evicted, victims }

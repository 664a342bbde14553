-- Shared by the cache namespace scripts (prepended when the script is loaded).
-- Every key built here (entryPrefix .. member, tagPrefix .. tag) carries the namespace's
-- {hash tag}, so on Redis Cluster it lives in the same slot as the KEYS of the call.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Removes one entry and all its bookkeeping: the value, its index and expiry scores, its tags.
local function drop(entry_prefix, idx, exp, member_tags, tag_prefix, member)
  redis.call('DEL', entry_prefix .. member)
  redis.call('ZREM', idx, member)
  if exp ~= idx then redis.call('ZREM', exp, member) end
  local tags = redis.call('HGET', member_tags, member)
  if tags then
    for tag in string.gmatch(tags, '[^\n]+') do redis.call('SREM', tag_prefix .. tag, member) end
    redis.call('HDEL', member_tags, member)
  end
end

-- Drops up to `limit` members whose entry has expired; returns how many.
local function prune(entry_prefix, idx, exp, member_tags, tag_prefix, stats, now, limit)
  local expired = redis.call('ZRANGEBYSCORE', exp, '-inf', now, 'LIMIT', 0, limit)
  for _, m in ipairs(expired) do drop(entry_prefix, idx, exp, member_tags, tag_prefix, m) end
  if #expired > 0 then redis.call('HINCRBY', stats, 'expired', #expired) end
  return #expired
end

-- Applies reads a process recorded since its last flush: ARGV[first] is its miss count, then
-- (member, reads) pairs, least recent first. LRU members get consecutive clock values in that
-- order; LFU members add their reads. Members no longer indexed are skipped (ZADD XX).
local function apply_reads(idx, stats, strategy, first)
  local misses = tonumber(ARGV[first])
  if misses > 0 then redis.call('HINCRBY', stats, 'misses', misses) end
  local pairs_count = (#ARGV - first) / 2
  if pairs_count < 1 then return end
  local hits = 0
  local clock = 0
  if strategy == 'lru' then clock = redis.call('HINCRBY', stats, 'clock', pairs_count) - pairs_count end
  for i = first + 1, #ARGV - 1, 2 do
    local reads = tonumber(ARGV[i + 1])
    hits = hits + reads
    if strategy == 'lru' then
      clock = clock + 1
      redis.call('ZADD', idx, 'XX', clock, ARGV[i])
    elseif strategy == 'lfu' then
      redis.call('ZADD', idx, 'XX', 'INCR', reads, ARGV[i])
    end
  end
  redis.call('HINCRBY', stats, 'hits', hits)
end

-- Adds one sample to a series kept in a sorted set (score = timestamp ms, member = "ts:value"),
-- with RedisTimeSeries' semantics: a sample at an existing timestamp replaces it (ON_DUPLICATE
-- LAST), samples older than the newest minus the retention are dropped or refused.
-- KEYS: 1 series
-- ARGV: 1 timestamp ms, 2 value, 3 retention ms
-- Returns 1 when stored, 0 when older than the retention window.
local ts = tonumber(ARGV[1])
local retention = tonumber(ARGV[3])
local newest = ts
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) > newest then newest = tonumber(last[2]) end
if ts < newest - retention then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], ts, ts)
redis.call('ZADD', KEYS[1], ts, ARGV[1] .. ':' .. ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (newest - retention))
redis.call('PEXPIRE', KEYS[1], retention)
return 1

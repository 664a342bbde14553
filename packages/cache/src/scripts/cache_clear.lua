-- Invalidates up to ARGV[3] entries of a namespace per call (the client loops, so no call
-- blocks Redis for long); the first call also ends every loader in flight.
-- KEYS: 1 index, 2 expiries, 3 stats, 4 member tags
-- ARGV: 1 entry prefix, 2 tag prefix, 3 batch size, 4 '1' on the first call
if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[3], 'gen', 1) end
local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)
for _, m in ipairs(members) do drop(ARGV[1], KEYS[1], KEYS[2], KEYS[4], ARGV[2], m) end
if #members > 0 then redis.call('HINCRBY', KEYS[3], 'invalidations', #members) end
return { #members, redis.call('ZCARD', KEYS[1]) }

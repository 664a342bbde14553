-- Invalidates one cache entry (and any loader lease on it).
-- KEYS: 1 entry, 2 index, 3 expiries, 4 stats, 5 member tags, 6 lease
-- ARGV: 1 member, 2 entry prefix, 3 tag prefix
local existed = redis.call('EXISTS', KEYS[1])
drop(ARGV[2], KEYS[2], KEYS[3], KEYS[5], ARGV[3], ARGV[1])
redis.call('DEL', KEYS[6])
if existed == 1 then redis.call('HINCRBY', KEYS[4], 'invalidations', 1) end
return existed

-- Invalidates every entry of one namespace carrying a tag; loaders in flight will not cache.
-- KEYS: 1 index, 2 expiries, 3 stats, 4 member tags, 5 the tag's member set
-- ARGV: 1 entry prefix, 2 tag prefix
local members = redis.call('SMEMBERS', KEYS[5])
for _, m in ipairs(members) do drop(ARGV[1], KEYS[1], KEYS[2], KEYS[4], ARGV[2], m) end
redis.call('DEL', KEYS[5])
redis.call('HINCRBY', KEYS[3], 'gen', 1)
if #members > 0 then redis.call('HINCRBY', KEYS[3], 'invalidations', #members) end
return #members

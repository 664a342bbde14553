-- Releases a loader lease if this caller still holds it (a failed loader lets others retry at once).
-- KEYS: 1 lease; ARGV: 1 token
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0

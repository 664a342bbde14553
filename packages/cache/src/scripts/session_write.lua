-- Writes session fields atomically and slides the TTL; returns the whole session afterwards.
-- KEYS: 1 session hash
-- ARGV: 1 ttl ms, 2 mode ('replace' starts a new session, 'patch' only updates a live one,
--       'upsert' updates or creates),
--       3.. field, value pairs
if ARGV[2] == 'patch' then
  if redis.call('EXISTS', KEYS[1]) == 0 then return false end
elseif ARGV[2] == 'replace' then
  redis.call('DEL', KEYS[1])
end
if #ARGV >= 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])

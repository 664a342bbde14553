-- Acknowledges entries and forgets their recorded errors.
-- KEYS: 1 stream, 2 errors hash
-- ARGV: 1 group, 2.. entry ids
local n = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
redis.call('HDEL', KEYS[2], unpack(ARGV, 2))
return n

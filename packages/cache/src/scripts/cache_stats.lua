-- Drops expired members, then reports the namespace's entry count and counters.
-- KEYS: 1 index, 2 expiries, 3 stats, 4 member tags
-- ARGV: 1 entry prefix, 2 tag prefix
prune(ARGV[1], KEYS[1], KEYS[2], KEYS[4], ARGV[2], KEYS[3], now_ms(), 1000)
return { redis.call('ZCARD', KEYS[1]), redis.call('HGETALL', KEYS[3]) }

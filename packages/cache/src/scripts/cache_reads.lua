-- Flushes the reads one process recorded (hits, misses, recency or frequency) in one call.
-- KEYS: 1 index, 2 stats
-- ARGV: 1 strategy, 2 misses, 3.. (member, reads) pairs, least recent first
apply_reads(KEYS[1], KEYS[2], ARGV[1], 2)
return 1

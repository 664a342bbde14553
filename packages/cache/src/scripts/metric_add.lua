-- Adds one sample to a series kept in a sorted set (see add_sample in metric_common.lua).
-- KEYS: 1 series
-- ARGV: 1 timestamp ms, 2 value, 3 retention ms, 4 sample id
-- Returns 1 when stored, 0 when older than the retention window.
return add_sample(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4])

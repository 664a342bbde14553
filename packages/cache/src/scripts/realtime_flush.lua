-- Adds one process's pending aggregates of one metric and minute to the minute's hash and to the
-- metric's running totals (the two keys share the metric's hash tag).
-- KEYS: 1 minute hash, 2 totals hash
-- ARGV: 1 minute TTL ms, 2 totals TTL ms, then triples (op, field, value):
--   op `i` adds a whole number to both, `f` adds a decimal to both, `m` keeps the larger value
--   in the minute's hash only (a running maximum has no meaning over all time).
for i = 3, #ARGV, 3 do
  local op, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'i' then
    redis.call('HINCRBY', KEYS[1], field, value)
    redis.call('HINCRBY', KEYS[2], field, value)
  elseif op == 'f' then
    redis.call('HINCRBYFLOAT', KEYS[1], field, value)
    redis.call('HINCRBYFLOAT', KEYS[2], field, value)
  else
    local current = tonumber(redis.call('HGET', KEYS[1], field))
    if current == nil or tonumber(value) > current then redis.call('HSET', KEYS[1], field, value) end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1

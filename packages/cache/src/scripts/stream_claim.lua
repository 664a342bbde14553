-- Claims entries another consumer left pending longer than the visibility timeout; entries
-- already delivered max-deliveries times go to the dead-letter stream with their last error.
-- KEYS: 1 stream, 2 dead-letter stream, 3 errors hash
-- ARGV: 1 group, 2 consumer, 3 min idle ms, 4 count, 5 max deliveries, 6 dead-letter max length
-- Returns { {id, fields, deliveries}, … } of the entries now owned by this consumer.
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[4])
local out = {}
for _, entry in ipairs(claimed[2]) do
  local id = entry[1]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  local deliveries = pending[1] and tonumber(pending[1][4]) or 1
  if deliveries > tonumber(ARGV[5]) then
    local err = redis.call('HGET', KEYS[3], id) or 'visibility timeout expired (consumer crashed or too slow)'
    local dead = { 'source_id', id, 'group', ARGV[1], 'deliveries', tostring(deliveries - 1), 'error', err }
    for i = 1, #entry[2] do dead[#dead + 1] = entry[2][i] end
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', unpack(dead))
    redis.call('XACK', KEYS[1], ARGV[1], id)
    redis.call('HDEL', KEYS[3], id)
  else
    out[#out + 1] = { id, entry[2], deliveries }
  end
end
return out

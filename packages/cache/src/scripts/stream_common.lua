-- Prepended to the stream scripts. KEYS: 1 stream, 2 dead-letter stream, 3 errors hash.

-- Moves an entry of `group` to the dead-letter stream (its fields, when it still has them, and its
-- last recorded error or `default_error`), then acknowledges it.
local function dead_letter(group, id, deliveries, fields, default_error, dead_max)
  local err = redis.call('HGET', KEYS[3], id) or default_error
  local dead = { 'source_id', id, 'group', group, 'deliveries', tostring(deliveries), 'error', err }
  if fields then
    for i = 1, #fields do dead[#dead + 1] = fields[i] end
  end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', dead_max, '*', unpack(dead))
  redis.call('XACK', KEYS[1], group, id)
  redis.call('HDEL', KEYS[3], id)
end

-- Claims entries another consumer left pending longer than the visibility timeout; entries
-- already delivered max-deliveries times go to the dead-letter stream with their last error.
-- KEYS: 1 stream, 2 dead-letter stream, 3 errors hash
-- ARGV: 1 group, 2 consumer, 3 min idle ms, 4 count, 5 max deliveries, 6 dead-letter max length,
--       7 where to resume scanning the pending list ('0-0': from its start)
-- Returns { next cursor, { {id, fields, deliveries}, … } of the entries now owned by this consumer }:
-- the cursor resumes the scan where this one stopped ('0-0' once it went round), so idle entries
-- behind many entries of busy consumers are reached too.
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[7], 'COUNT', ARGV[4])
local out = {}
for _, entry in ipairs(claimed[2]) do
  local id = entry[1]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  local deliveries = pending[1] and tonumber(pending[1][4]) or 1
  if deliveries > tonumber(ARGV[5]) then
    dead_letter(ARGV[1], id, deliveries - 1, entry[2],
      'visibility timeout expired (consumer crashed or too slow)', ARGV[6])
  else
    out[#out + 1] = { id, entry[2], deliveries }
  end
end
-- Pending entries no longer in the stream (deleted by hand; publish never trims them): Redis
-- drops them from the pending list and names them here. Recorded, so their loss is visible.
for _, id in ipairs(claimed[3] or {}) do
  dead_letter(ARGV[1], id, 0, nil, 'deleted from the stream before it was acknowledged (content lost)', ARGV[6])
end
return { claimed[1], out }

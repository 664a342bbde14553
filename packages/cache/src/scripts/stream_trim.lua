-- Trims an agent's stream to about max length (in batches of a tenth, like MAXLEN ~), but never
-- removes an entry a group has delivered and not acknowledged: the entries of a consumer that
-- crashed stay until another claims them (and acknowledges them or, after max deliveries,
-- dead-letters them). Their number is bounded by what consumers have read.
-- `publish` sends a plain XADD and XLEN in one write and calls this only when the length passed
-- max + max/10 (one publish in a tenth of max): the common publish runs no script.
-- KEYS: 1 stream
-- ARGV: 1 max length
-- Returns how many entries were removed.
local max = tonumber(ARGV[1])
local len = redis.call('XLEN', KEYS[1])
if len <= max + math.max(1, math.floor(max / 10)) then return 0 end

-- The oldest `len - max` entries go, and the one after them is the first to keep.
local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', len - max + 1)
local first_kept = table.remove(head)[1]
local last = head[#head][1]

-- Those some group still waits on (delivered, not acknowledged) stay.
local waiting = {}
local any = false
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local name, pending
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'pending' then pending = g[i + 1] end
  end
  if pending > 0 then
    for _, p in ipairs(redis.call('XPENDING', KEYS[1], name, '-', last, pending)) do
      waiting[p[1]] = true
      any = true
    end
  end
end
if not any then
  return redis.call('XTRIM', KEYS[1], 'MINID', first_kept)
end
local gone = {}
for _, entry in ipairs(head) do
  if not waiting[entry[1]] then gone[#gone + 1] = entry[1] end
end
for i = 1, #gone, 1000 do
  redis.call('XDEL', KEYS[1], unpack(gone, i, math.min(i + 999, #gone)))
end
return #gone

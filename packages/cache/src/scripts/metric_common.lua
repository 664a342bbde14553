-- Shared by the metric scripts (prepended when the script is loaded).
-- A series is a sorted set (score = timestamp ms, member = "ts:value:id"): every sample has an id
-- of its own, so two samples of one millisecond (two interactions of one character) are both
-- kept, and a sample recorded again under its id (an outbox event applied twice) replaces itself.
-- Samples older than the newest minus the retention are dropped or refused. An appended sample
-- (newer than the newest, the usual case) makes four calls: the newest, ZADD, the window trim, PEXPIRE.
-- Returns 1 when stored, 0 when older than the retention window.
local function add_sample(key, ts_text, value_text, retention, id)
  local ts = tonumber(ts_text)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  local newest = ts
  if last[2] then
    local previous = tonumber(last[2])
    if previous > ts then newest = previous end
    if ts < newest - retention then return 0 end
    -- Only a timestamp at or before the newest can already hold this id's sample.
    if previous >= ts then
      local suffix = ':' .. id
      for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, ts, ts)) do
        if string.sub(member, -#suffix) == suffix then redis.call('ZREM', key, member) end
      end
    end
  end
  redis.call('ZADD', key, ts, ts_text .. ':' .. value_text .. ':' .. id)
  -- The window moves only when the newest does.
  if newest == ts then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (newest - retention)) end
  redis.call('PEXPIRE', key, retention)
  return 1
end

-- One agent's part of `updateAgents` on core structures: its session fields (created or updated,
-- TTL slid, like session_write's 'upsert') and one sample per metric, in one call (all its keys
-- share the agent's hash tag), so a bulk update of n agents is n calls, not n × (1 + metrics).
-- KEYS: 1 session hash, 2.. one series per metric
-- ARGV: 1 session ttl ms, 2 retention ms, 3 timestamp ms, 4 session field count f,
--       5..4+2f field/value pairs, then one value per series (in KEYS order), then the samples' id
-- Returns how many samples were stored (older than the retention window: refused).
local f = tonumber(ARGV[4])
if f > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 5, 4 + 2 * f)) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local retention = tonumber(ARGV[2])
local stored = 0
for i = 2, #KEYS do
  stored = stored + add_sample(KEYS[i], ARGV[3], ARGV[4 + 2 * f + i - 1], retention, ARGV[#ARGV])
end
return stored

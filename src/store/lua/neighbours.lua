-- The top neighbours of each co-occurrence (or sequential-rule) key given, with their weights.
-- KEYS: the neighbour lists (sorted sets). ARGV: [1] how many of each to read.
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('ZREVRANGE', key, 0, tonumber(ARGV[1]) - 1, 'WITHSCORES') end
return out

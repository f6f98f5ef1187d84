-- Keeps a computed recommendation list if the user's list version is still the one it was computed at
-- (list-cache.ts): a bump in between (the user's events committed or applied) means it may be stale already.
-- KEYS: [1] the user's list version (hash, field v), [2] the user's kept lists (hash, field per list arguments).
-- ARGV: [1] the version the list was computed at, [2] the list's field, [3] the list as JSON, [4] time to live (s),
-- [5] most lists kept per user (beyond it the user's others are dropped). Returns 1 when kept, 0 when stale.
local version = redis.call('HGET', KEYS[1], 'v') or '0'
if version ~= ARGV[1] then return 0 end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[5]) then redis.call('DEL', KEYS[2]) end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
-- The version outlives the lists kept at it: were it gone, bumps would be skipped while a list is still kept.
redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[4]))
return 1

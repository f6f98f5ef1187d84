-- Reads a user's recommendation list version and the list kept for one set of arguments (list-cache.ts). A user
-- without a version gets one (0) here: versions are bumped only where they exist (bump-lists.lua, and the worker's
-- apply plan), so a list computed from this read is kept only if no event of the user came in between.
-- KEYS: [1] the user's list version (hash, field v), [2] the user's kept lists (hash).
-- ARGV: [1] the list's field, [2] the version's time to live when created (s). Returns {version, list or false}.
local version = redis.call('HGET', KEYS[1], 'v')
if not version then
  version = '0'
  redis.call('HSET', KEYS[1], 'v', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return { version, redis.call('HGET', KEYS[2], ARGV[1]) }

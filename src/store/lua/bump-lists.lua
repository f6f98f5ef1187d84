-- Bumps the recommendation list version of each user given that has one (list-cache.ts): a user nobody asked a
-- list of within its time to live has none, and costs an EXISTS.
-- KEYS: the users' list versions (hashes, field v). ARGV: none.
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('HINCRBY', key, 'v', 1) end
end
return 1

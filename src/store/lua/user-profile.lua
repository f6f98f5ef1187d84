-- What one recommendation list reads about its user: recent items (newest first), category affinity, the most
-- popular products, and the top neighbours of the seeds (given ones first, then recent items), in one round trip.
-- Popular products and neighbours come without the members of the exclusion set (what the user may not be shown),
-- each list led by its unfiltered top score, which normalises it. The first `sequential seeds` seeds also bring what
-- is touched after them (sequential rules), read the same way.
-- KEYS: [1] the user's items, [2] the user's categories, [3] popularity, [4] the exclusion set.
-- ARGV: [1] co-occurrence key prefix, [2] recent items to read, [3] popular products to read, [4] popular products to
-- keep, [5] neighbours per seed, [6] most seeds, [7] sequential-rule key prefix, [8] sequential seeds, [9…] the given
-- seeds.
-- The co-occurrence keys are derived here rather than declared in KEYS, which a Redis Cluster would refuse; the
-- feature store already needs a single Redis (its MULTI transactions span many keys). The answer is one JSON string
-- (hundreds of strings otherwise, each a reply the client decodes on its own).
local recent = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local seeds, seen = {}, {}
local maxSeeds = tonumber(ARGV[6])
local function add(p) if not seen[p] and #seeds < maxSeeds then seen[p] = true; seeds[#seeds + 1] = p end end
for i = 9, #ARGV do add(ARGV[i]) end
for _, p in ipairs(recent) do add(p) end
local excluded, lookup = {}, redis.call('SCARD', KEYS[4]) > 256
if not lookup then for _, p in ipairs(redis.call('SMEMBERS', KEYS[4])) do excluded[p] = true end end
local function out(p)
  local e = excluded[p]
  if e == nil then
    e = lookup and redis.call('SISMEMBER', KEYS[4], p) == 1
    excluded[p] = e
  end
  return e
end
local function filtered(key, n, keep)
  local raw = redis.call('ZREVRANGE', key, 0, n - 1, 'WITHSCORES')
  local res, kept = {raw[2] or '0'}, 0
  for i = 1, #raw, 2 do
    if kept >= keep then break end
    if not out(raw[i]) then res[#res + 1] = raw[i]; res[#res + 1] = raw[i + 1]; kept = kept + 1 end
  end
  return res
end
local perSeed = tonumber(ARGV[5])
local neighbours = {}
local sequential, sequentialSeeds = {}, tonumber(ARGV[8])
for i, p in ipairs(seeds) do
  neighbours[i] = filtered(ARGV[1] .. p, perSeed, perSeed)
  if i <= sequentialSeeds then sequential[i] = filtered(ARGV[7] .. p, perSeed, perSeed) end
end
return cjson.encode({recent, redis.call('ZREVRANGE', KEYS[2], 0, 9, 'WITHSCORES'),
        filtered(KEYS[3], tonumber(ARGV[3]), tonumber(ARGV[4])), seeds, neighbours, sequential})

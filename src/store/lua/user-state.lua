-- Shared function (included before the scripts that use it: fw-user-state.lua, announce.lua), no KEYS or ARGV of
-- its own. A user's own state as one JSON string (a UserChange, announcements.ts): recent items (newest first),
-- category affinity, the seen and bought sets when they have at most `most` members (false otherwise), whether the
-- cart may have changed, and the version: the Redis clock when the state was read. Scripts run one at a time, so a
-- later version never carries an older state. With `lists` (the user's list version key, list-cache.ts), also that
-- version when the user has one, so that a list computed from this state may be kept at it.
local function userState(items, cats, seen, bought, most, cart, lists)
  local t = redis.call('TIME')
  local function members(key)
    if redis.call('SCARD', key) > most then return false end
    return redis.call('SMEMBERS', key)
  end
  local lv = false
  if lists then lv = redis.call('HGET', lists, 'v') end
  return cjson.encode({v = t[1] .. string.format('%06d', tonumber(t[2])), cart = cart, lv = lv,
    recent = redis.call('ZREVRANGE', items, 0, $RECENT_READ - 1),
    affinity = redis.call('ZREVRANGE', cats, 0, 9, 'WITHSCORES'),
    seen = members(seen), bought = members(bought)})
end

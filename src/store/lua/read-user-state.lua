-- A user's own state, as an announcement carries it (userState, user-state.lua), for a live list that got none.
-- KEYS: [1] the user's items, [2] categories, [3] seen set, [4] bought set. ARGV: [1] the most members of a set to return.
return userState(KEYS[1], KEYS[2], KEYS[3], KEYS[4], tonumber(ARGV[1]), false)

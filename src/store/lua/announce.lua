-- Tells live lists which users' features changed, with the user's state in the message (userState, user-state.lua),
-- so that the API instance computing a list needs no Redis read of its own. Only users someone listens to are read
-- and announced (PUBSUB NUMSUB, counted after the writes of the transaction it ends: a subscriber that arrives later
-- reads the state itself).
-- KEYS: none (the keys are derived per user, see user-profile.lua on Cluster).
-- ARGV: [1] the most members of an exclusion set a message carries, then per user seven values: the user's pub/sub
-- channel, items key, categories key, seen key, bought key, '1' when the user's cart may have changed, list version key.
-- Returns how many users were announced.
local most, announced = tonumber(ARGV[1]), 0
for i = 2, #ARGV, 7 do
  if redis.call('PUBSUB', 'NUMSUB', ARGV[i])[2] > 0 then
    redis.call('PUBLISH', ARGV[i], userState(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], most, ARGV[i + 5] == '1', ARGV[i + 6]))
    announced = announced + 1
  end
end
return announced

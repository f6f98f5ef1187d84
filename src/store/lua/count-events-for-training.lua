-- Counts applied events towards an early training, and resets the count when it reaches the threshold, in one step:
-- two workers crossing the threshold together ask for one training, and no count is lost between INCRBY and reset.
-- KEYS[1]: the count (keys.eventsSinceTraining). ARGV[1]: events to add; ARGV[2]: the threshold (0: only add).
-- Returns 1 when the threshold was reached (and the count reset), else 0.
local since = redis.call('INCRBY', KEYS[1], ARGV[1])
local threshold = tonumber(ARGV[2])
if threshold > 0 and since >= threshold then
  redis.call('SET', KEYS[1], '0')
  return 1
end
return 0

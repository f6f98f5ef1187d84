-- Writes a batch's feature write plan (encodePlan, feature-writes.ts): every write of the batch in one command.
-- KEYS: none (key names come from RedisKeys, in the plan; see user-profile.lua on Cluster).
-- ARGV: [1] the plan as JSON: zi (ZINCRBY key, by, member triples), zgt (ZADD GT key, score, member… lists), trim
-- (key, stop pairs for ZREMRANGEBYRANK 0 stop), expire (key, seconds pairs), sadd (key, member… lists), hincr
-- (key, field, by triples), bump (users' list versions, bumped where they exist: list-cache.ts). Numbers travel as
-- strings so that Lua passes them on unrounded.
local plan = cjson.decode(ARGV[1])
local zi, trim, expire, hincr = plan.zi, plan.trim, plan.expire, plan.hincr
for i = 1, #zi, 3 do redis.call('ZINCRBY', zi[i], zi[i + 1], zi[i + 2]) end
for _, z in ipairs(plan.zgt) do redis.call('ZADD', z[1], 'GT', unpack(z, 2)) end
for i = 1, #trim, 2 do redis.call('ZREMRANGEBYRANK', trim[i], 0, trim[i + 1]) end
for _, m in ipairs(plan.sadd) do redis.call('SADD', unpack(m)) end
for i = 1, #hincr, 3 do redis.call('HINCRBY', hincr[i], hincr[i + 1], hincr[i + 2]) end
for _, key in ipairs(plan.bump) do
  if redis.call('EXISTS', key) == 1 then redis.call('HINCRBY', key, 'v', 1) end
end
-- Last: a key is given its time to live once the writes above have created it.
for i = 1, #expire, 2 do redis.call('EXPIRE', expire[i], expire[i + 1]) end
return 1

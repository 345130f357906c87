/**
 * Lua scripts of the Redis alert store (ioredis `defineCommand`, EVALSHA). Each runs atomically,
 * which is what makes "one notification per transition per receiver" hold across replicas.
 *
 * Keys (prefix p): `p alerts:state` hash slo → states JSON (the JSON is the version);
 * `p outbox:items` hash id → delivery JSON; `p outbox:lane:{lane}` list of ids in send order;
 * `p outbox:due` zset lane → when its head is due; `p outbox:lease` hash lane → lease of the claim
 * in flight; `p outbox:pace` hash receiver → not before (pacing, 429 pauses); `p reminded:{key}`
 * the mark of a postmortem reminder recorded (string, expires after 400 days).
 *
 * NOT Cluster-safe (lane keys are built in the script); the service refuses Cluster at start.
 */

const FMT = `local function ms(x) return string.format('%d', x) end`;

/**
 * Compare-and-set of SLO alert states, with their deliveries appended to their lanes.
 * KEYS: state hash, items hash, due zset. ARGV: now, lane key prefix, number of changes, then per
 * change: slo, expected ('' = nothing stored), new states ('' = delete), n deliveries, then
 * n × (id, lane, delivery JSON). Returns 1/0 per change.
 */
export const COMMIT_ALERTS_LUA = `
${FMT}
local now = tonumber(ARGV[1])
local lanePrefix = ARGV[2]
local n = tonumber(ARGV[3])
local i = 4
local out = {}
for c = 1, n do
  local slo, expected, states, nd = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  i = i + 4
  local current = redis.call('HGET', KEYS[1], slo) or ''
  if current == expected then
    if states == '' then redis.call('HDEL', KEYS[1], slo) else redis.call('HSET', KEYS[1], slo, states) end
    for d = 1, nd do
      local id, lane, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
      redis.call('HSET', KEYS[2], id, json)
      redis.call('RPUSH', lanePrefix .. lane, id)
      redis.call('ZADD', KEYS[3], 'NX', ms(now), lane)
      i = i + 3
    end
    out[c] = 1
  else
    i = i + 3 * nd
    out[c] = 0
  end
end
return out
`;

/**
 * Records a postmortem reminder once: SETs its mark NX (with an expiry) and, only if this call set
 * it, appends its deliveries to their lanes as the commit does.
 * KEYS: mark, items hash, due zset. ARGV: now, lane key prefix, mark TTL ms, n deliveries, then
 * n × (id, lane, delivery JSON). Returns 1 when recorded, 0 when the mark was there.
 */
export const RECORD_REMINDER_LUA = `
${FMT}
local now = tonumber(ARGV[1])
local lanePrefix = ARGV[2]
if not redis.call('SET', KEYS[1], ms(now), 'NX', 'PX', ARGV[3]) then return 0 end
local nd = tonumber(ARGV[4])
local i = 5
for d = 1, nd do
  local id, lane, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('HSET', KEYS[2], id, json)
  redis.call('RPUSH', lanePrefix .. lane, id)
  redis.call('ZADD', KEYS[3], 'NX', ms(now), lane)
  i = i + 3
end
return 1
`;

/**
 * Claims due lane heads. KEYS: due zset, lease hash, pace hash, items hash.
 * ARGV: now, max, lease ms, lease token, pacing JSON {receiver: ms}, lane key prefix.
 * Returns the claimed deliveries' JSON.
 */
export const CLAIM_LUA = `
${FMT}
local now = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local leaseMs = tonumber(ARGV[3])
local token = ARGV[4]
local pacing = cjson.decode(ARGV[5])
local lanePrefix = ARGV[6]
local lanes = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ms(now), 'LIMIT', 0, max * 4)
local out = {}
for _, lane in ipairs(lanes) do
  if #out >= max then break end
  local receiver = string.match(lane, '^(.*)/[^/]+/[^/]+$') or lane
  local notBefore = tonumber(redis.call('HGET', KEYS[3], receiver) or '0')
  if notBefore > now then
    redis.call('ZADD', KEYS[1], ms(notBefore), lane)
  else
    local id = redis.call('LINDEX', lanePrefix .. lane, 0)
    local item = id and redis.call('HGET', KEYS[4], id)
    if not id then
      redis.call('ZREM', KEYS[1], lane)
      redis.call('HDEL', KEYS[2], lane)
    elseif not item then
      redis.call('LPOP', lanePrefix .. lane)
    else
      local interval = pacing[receiver]
      if interval and interval > 0 then redis.call('HSET', KEYS[3], receiver, ms(now + interval)) end
      redis.call('ZADD', KEYS[1], ms(now + leaseMs), lane)
      redis.call('HSET', KEYS[2], lane, token)
      out[#out + 1] = item
    end
  end
end
return out
`;

/**
 * Completes a claim: drops the head, makes the lane's next delivery due now.
 * KEYS: due zset, lease hash, items hash, lane list. ARGV: lane, id, lease token, now.
 */
export const COMPLETE_LUA = `
${FMT}
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('LINDEX', KEYS[4], 0) == ARGV[2] then
  redis.call('LPOP', KEYS[4])
  redis.call('HDEL', KEYS[3], ARGV[2])
end
if redis.call('LLEN', KEYS[4]) > 0 then
  redis.call('ZADD', KEYS[1], ms(tonumber(ARGV[4])), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 1
`;

/**
 * Puts a claim back for a later attempt. KEYS: due zset, lease hash, items hash, pace hash.
 * ARGV: lane, id, lease token, retry at, updated delivery JSON, receiver, paused until ('' = no).
 */
export const RETRY_LUA = `
${FMT}
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then redis.call('HSET', KEYS[3], ARGV[2], ARGV[5]) end
redis.call('ZADD', KEYS[1], ms(tonumber(ARGV[4])), ARGV[1])
if ARGV[7] ~= '' then
  local current = tonumber(redis.call('HGET', KEYS[4], ARGV[6]) or '0')
  if current < tonumber(ARGV[7]) then redis.call('HSET', KEYS[4], ARGV[6], ARGV[7]) end
end
return 1
`;

/**
 * Lua scripts of the Redis event store (loaded with ioredis `defineCommand`, run with EVALSHA).
 *
 * NOT Cluster-safe: both build bucket and cover key names inside the script (undeclared keys on
 * many slots). Fine on a single node or Sentinel; a Cluster deployment would need the writes split
 * per slot (e.g. one script call per SLO hash tag plus the log append).
 */

/**
 * One batch, atomically: next sequence number, the log entry, every bucket hash increment.
 * KEYS[1] log stream, KEYS[2] sequence counter.
 * ARGV[1] key prefix, ARGV[2] log MAXLEN (~), ARGV[3] log retention ms (MINID ~, 0 = off),
 * ARGV[4] log payload, ARGV[5] writes JSON `[[keySuffix, ttlMs or 0, field, value, …], …]`.
 * Integer increments use HINCRBY (cheaper), others and fields already fractional HINCRBYFLOAT.
 * Returns the sequence number.
 */
export const ADD_EVENTS_LUA = `
local n = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'n', n, 'd', ARGV[4])
local retention = tonumber(ARGV[3])
if retention > 0 then
  local t = redis.call('TIME')
  local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - retention
  if minid > 0 then redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%d', minid)) end
end
local writes = cjson.decode(ARGV[5])
local floor = math.floor
for i = 1, #writes do
  local w = writes[i]
  local key = ARGV[1] .. w[1]
  for j = 3, #w, 2 do
    local v = w[j + 1]
    if v == floor(v) and v > -1e14 and v < 1e14 then
      local r = redis.pcall('HINCRBY', key, w[j], v)
      if type(r) == 'table' and r.err then redis.call('HINCRBYFLOAT', key, w[j], v) end
    else
      redis.call('HINCRBYFLOAT', key, w[j], v)
    end
  end
  if w[2] > 0 then redis.call('PEXPIRE', key, w[2]) end
end
return n
`;

/**
 * Records, per SLO and tier, the capacity its buckets are written with and from when Redis holds
 * the tier completely (`${capacity}:${since}`, since `-` = always):
 * - a tier of an SLO Redis knows nothing of: always (no event of it can exist elsewhere);
 * - a new tier of a known SLO: from ARGV[3] (now + the 5 min events may be stamped ahead);
 * - a tier whose capacity grows: older buckets were kept only for the old capacity, so complete
 *   from the oldest bucket the old capacity still holds now.
 * ARGV[1] key prefix, ARGV[2] now ms, ARGV[3] since for new tiers, ARGV[4] cover TTL ms,
 * ARGV[5] JSON `[[slo, "widthMs", capacity, "widthMs", capacity, …], …]`.
 */
export const COVER_LUA = `
local now = tonumber(ARGV[2])
local items = cjson.decode(ARGV[5])
for i = 1, #items do
  local item = items[i]
  local key = ARGV[1] .. 'ev:{' .. item[1] .. '}:cover'
  local current = redis.call('HGETALL', key)
  local known = {}
  for j = 1, #current, 2 do known[current[j]] = current[j + 1] end
  local fresh = #current == 0
  for j = 2, #item, 2 do
    local width = item[j]
    local capacity = tonumber(item[j + 1])
    local old = known[width]
    if old == nil then
      local since = ARGV[3]
      if fresh then since = '-' end
      redis.call('HSET', key, width, string.format('%d', capacity) .. ':' .. since)
    else
      local sep = string.find(old, ':', 1, true)
      local oldCapacity = tonumber(string.sub(old, 1, sep - 1))
      local since = string.sub(old, sep + 1)
      if capacity > oldCapacity then
        local w = tonumber(width)
        local kept = (math.floor(now / w) - oldCapacity + 1) * w
        if since == '-' or tonumber(since) < kept then since = string.format('%d', kept) end
      end
      if capacity ~= oldCapacity then
        redis.call('HSET', key, width, string.format('%d', capacity) .. ':' .. since)
      end
    end
  end
  redis.call('PEXPIRE', key, ARGV[4])
end
return #items
`;

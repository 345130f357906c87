import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StateIntegrity, StateLoss } from '../../common/state-integrity';
import { redisCall } from './redis-call';

/**
 * KEYS: marker, loss. ARGV: the marker this replica has seen ('' if none yet), a new marker, now (ms).
 * - marker present and the one seen (or none seen yet): adopt it;
 * - none present and none seen: a new deployment (or a first start on an empty Redis): write one;
 * - seen one, now gone or another: the state was lost: write a new marker and record the loss
 *   (once: a loss already recorded is kept with its time).
 * Returns {marker, loss JSON or false, 1 if this call recorded the loss}.
 */
const CHECK_LUA = `
local marker = redis.call('GET', KEYS[1])
local seen = ARGV[1]
if marker and (seen == '' or marker == seen) then
  return {marker, redis.call('GET', KEYS[2]) or false, 0}
end
if not marker and seen == '' then
  redis.call('SET', KEYS[1], ARGV[2])
  return {ARGV[2], redis.call('GET', KEYS[2]) or false, 0}
end
local reason = marker and 'the state marker was replaced: another deployment or an emptied Redis' or 'the state marker vanished: Redis was emptied (FLUSHALL, a failover to an empty replica, a new Redis)'
if not marker then
  redis.call('SET', KEYS[1], ARGV[2])
  marker = ARGV[2]
end
local loss = redis.call('GET', KEYS[2])
if loss then return {marker, loss, 0} end
loss = cjson.encode({lostAtMs = tonumber(ARGV[3]), reason = reason})
redis.call('SET', KEYS[2], loss)
return {marker, loss, 1}
`;

interface IntegrityScripts {
  sloStateCheckV1(marker: string, loss: string, seen: string, fresh: string, nowMs: number): Promise<[string, string | null, number]>;
}

/** The marker and the loss record live under the deployment's prefix (`{prefix}state:marker`, `{prefix}state:loss`). */
export class RedisStateIntegrity implements StateIntegrity {
  private seen = '';
  /** told once per loss this replica detected (the error log, the metric) */
  onLossDetected: (loss: StateLoss) => void = () => undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!(redis as unknown as Partial<IntegrityScripts>).sloStateCheckV1) {
      redis.defineCommand('sloStateCheckV1', { numberOfKeys: 2, lua: CHECK_LUA });
    }
  }

  async check(nowMs: number): Promise<StateLoss | null> {
    const scripts = this.redis as unknown as IntegrityScripts;
    const [marker, loss, detected] = await redisCall('state marker', () =>
      scripts.sloStateCheckV1(this.key('marker'), this.key('loss'), this.seen, randomUUID(), Math.round(nowMs)),
    );
    this.seen = marker;
    const parsed = loss ? parseLoss(loss) : null;
    if (detected === 1 && parsed) this.onLossDetected(parsed);
    return parsed;
  }

  async acceptLoss(): Promise<StateLoss | null> {
    const loss = await redisCall('state marker', () => this.redis.getdel(this.key('loss')));
    return loss ? parseLoss(loss) : null;
  }

  private key(name: string): string {
    return `${this.prefix}state:${name}`;
  }
}

function parseLoss(text: string): StateLoss {
  try {
    const value = JSON.parse(text) as Partial<StateLoss>;
    if (typeof value.lostAtMs === 'number' && typeof value.reason === 'string') return { lostAtMs: value.lostAtMs, reason: value.reason };
  } catch {
    /* a damaged loss record is still a loss */
  }
  return { lostAtMs: 0, reason: 'a state loss was recorded (its record is unreadable)' };
}

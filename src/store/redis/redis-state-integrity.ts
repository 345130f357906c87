import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StateIntegrity, StateLoss } from '../../common/state-integrity';
import { redisCall } from './redis-call';

/**
 * The check as a Lua function (also called from the deploy gate's read script, so that a decision
 * reads its state in one round trip): arguments marker key, loss key, the marker this replica has
 * seen ('' if none yet), a new marker, now (ms).
 * - marker present and the one seen (or none seen yet): adopt it;
 * - none present and none seen: a new deployment (or a first start on an empty Redis): write one;
 * - seen one, now gone or another: the state was lost: write a new marker and record the loss
 *   (once: a loss already recorded is kept with its time).
 * Returns {marker, loss JSON or false, 1 if this call recorded the loss}.
 */
export const STATE_CHECK_LUA_FUNCTION = `
local function state_check(marker_key, loss_key, seen, fresh, now)
  local marker = redis.call('GET', marker_key)
  if marker and (seen == '' or marker == seen) then
    return {marker, redis.call('GET', loss_key) or false, 0}
  end
  if not marker and seen == '' then
    redis.call('SET', marker_key, fresh)
    return {fresh, redis.call('GET', loss_key) or false, 0}
  end
  local reason = marker and 'the state marker was replaced: another deployment or an emptied Redis' or 'the state marker vanished: Redis was emptied (FLUSHALL, a failover to an empty replica, a new Redis)'
  if not marker then
    redis.call('SET', marker_key, fresh)
    marker = fresh
  end
  local loss = redis.call('GET', loss_key)
  if loss then return {marker, loss, 0} end
  loss = cjson.encode({lostAtMs = tonumber(now), reason = reason})
  redis.call('SET', loss_key, loss)
  return {marker, loss, 1}
end
`;

/** KEYS: marker, loss. ARGV: seen, new marker, now (ms). */
const CHECK_LUA = `${STATE_CHECK_LUA_FUNCTION}
return state_check(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
`;

/** What the check script answers: {marker, loss JSON or null, 1 if this call recorded the loss}. */
export type StateCheckReply = [string, string | null, number];

interface IntegrityScripts {
  sloStateCheckV1(marker: string, loss: string, seen: string, fresh: string, nowMs: number): Promise<StateCheckReply>;
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
    const probe = this.probe(nowMs);
    const reply = await redisCall('state marker', () => scripts.sloStateCheckV1(probe.keys[0], probe.keys[1], ...probe.args));
    return this.adopt(reply);
  }

  /** The keys and arguments of `state_check` (STATE_CHECK_LUA_FUNCTION) for a check run inside another script. */
  probe(nowMs: number): { keys: [string, string]; args: [string, string, number] } {
    return { keys: [this.key('marker'), this.key('loss')], args: [this.seen, randomUUID(), Math.round(nowMs)] };
  }

  /** Takes in what `state_check` answered (from `check` or another script): the loss, if any. */
  adopt([marker, loss, detected]: StateCheckReply): StateLoss | null {
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

import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AdminAuditEntry } from '../../common/admin-audit';
import type { Silence, SilenceRepository } from '../../alerting/silences/silence';
import {
  AUDIT_LIMITS,
  DecisionRecord,
  DeployRecord,
  Freeze,
  GateInputs,
  Override,
  PolicyStateRepository,
} from '../../policies/ports/policy-state.repository';
import { ApiCorrection, CorrectionRepository, parseStoredCorrection } from '../../policies/ports/correction.repository';
import { redisCall } from './redis-call';
import { evaluationsKey, parseStoredEvaluation } from './redis-evaluation.repository';
import { RedisStateIntegrity, STATE_CHECK_LUA_FUNCTION, type StateCheckReply } from './redis-state-integrity';

/**
 * The deploy gate's reads in one round trip. KEYS: latest evaluations, freezes, overrides, state
 * marker, state loss. ARGV: the marker this replica has seen, a new marker, now (ms), then the SLO
 * ids. Returns {state check reply, evaluation JSON or nil per SLO id, freeze JSONs, override JSONs}.
 * HMGET in chunks: Lua's unpack() of thousands of arguments would overflow its stack.
 */
const GATE_READ_LUA = `${STATE_CHECK_LUA_FUNCTION}
local state = state_check(KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3])
local evaluations = {}
local n = #ARGV
for first = 4, n, 1000 do
  local chunk = redis.call('HMGET', KEYS[1], unpack(ARGV, first, math.min(first + 999, n)))
  for i = 1, #chunk do evaluations[#evaluations + 1] = chunk[i] end
end
return {state, evaluations, redis.call('HVALS', KEYS[2]), redis.call('HVALS', KEYS[3])}
`;

/**
 * The deploy gate's writes in one round trip, all or nothing: every key is checked to be a list
 * (or absent) before anything is written, and a script that has written once is not stopped
 * half-way by maxmemory. KEYS: decisions, the service's decisions, the service's deploys. ARGV:
 * decision JSON, cap, per-service cap, deploy JSON ('' for none), deploys cap.
 */
const GATE_RECORD_LUA = `
local last = ARGV[4] ~= '' and 3 or 2
for i = 1, last do
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind ~= 'list' and kind ~= 'none' then
    return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' is a ' .. kind .. ', not a list: nothing written')
  end
end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
if last == 3 then
  redis.call('LPUSH', KEYS[3], ARGV[4])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
end
return 1
`;

interface GateScripts {
  sloGateReadV1(...keysAndArgs: Array<string | number>): Promise<[StateCheckReply, Array<string | null>, string[], string[]]>;
  sloGateRecordV1(...keysAndArgs: Array<string | number>): Promise<number>;
}

/**
 * Freezes, overrides, silences and corrections in hashes (id → JSON); decisions, admin changes and
 * deploys in capped lists, newest first (LPUSH + LTRIM in one MULTI).
 */
export class RedisPolicyStateRepository implements PolicyStateRepository, SilenceRepository, CorrectionRepository {
  private readonly logger = new Logger('PolicyState');
  /** malformed corrections already logged (field → value): read every cycle, logged once each */
  private readonly unreadableLogged = new Map<string, string>();

  private readonly evaluationsKey: string;

  /**
   * `integrity`: the replica's state-integrity check, run inside the gate's read script (its own
   * one when not given, as in tests of this repository alone).
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly integrity: RedisStateIntegrity = new RedisStateIntegrity(redis, prefix),
  ) {
    this.evaluationsKey = evaluationsKey(prefix);
    const scripts = redis as unknown as Partial<GateScripts>;
    if (!scripts.sloGateReadV1) redis.defineCommand('sloGateReadV1', { numberOfKeys: 5, lua: GATE_READ_LUA });
    if (!scripts.sloGateRecordV1) redis.defineCommand('sloGateRecordV1', { numberOfKeys: 3, lua: GATE_RECORD_LUA });
  }

  private key(...parts: string[]): string {
    return `${this.prefix}policy:${parts.join(':')}`;
  }

  saveFreeze(freeze: Freeze): Promise<void> {
    return this.put('freezes', freeze.id, freeze);
  }
  listFreezes(): Promise<Freeze[]> {
    return this.all<Freeze>('freezes');
  }
  deleteFreeze(id: string): Promise<Freeze | null> {
    return this.remove<Freeze>('freezes', id);
  }
  saveOverride(override: Override): Promise<void> {
    return this.put('overrides', override.id, override);
  }
  listOverrides(): Promise<Override[]> {
    return this.all<Override>('overrides');
  }
  deleteOverride(id: string): Promise<Override | null> {
    return this.remove<Override>('overrides', id);
  }
  saveSilence(silence: Silence): Promise<void> {
    return this.put('silences', silence.id, silence);
  }
  listSilences(): Promise<Silence[]> {
    return this.all<Silence>('silences');
  }
  deleteSilence(id: string): Promise<Silence | null> {
    return this.remove<Silence>('silences', id);
  }

  saveCorrection(correction: ApiCorrection): Promise<void> {
    return this.put('corrections', correction.id, correction);
  }
  /**
   * Corrections are validated as they are read back (SPEC §12, one malformed value in Redis): a
   * malformed one is left out, with a warning naming the hash and the field (once per value), and
   * the others are answered.
   */
  async listCorrections(): Promise<ApiCorrection[]> {
    const key = this.key('corrections');
    const all = await redisCall('read corrections', () => this.redis.hgetall(key));
    const out: ApiCorrection[] = [];
    for (const [id, json] of Object.entries(all)) {
      const parsed = parseStoredCorrection(json);
      if (!('problem' in parsed)) {
        out.push(parsed);
        continue;
      }
      if (this.unreadableLogged.get(id) !== json) {
        if (this.unreadableLogged.size >= 1_000) this.unreadableLogged.clear();
        this.unreadableLogged.set(id, json);
        this.logger.warn(`Redis hash "${key}" field "${id}" is ${parsed.problem}: that correction is left out until repaired or deleted`);
      }
    }
    return out;
  }
  async deleteCorrection(id: string): Promise<ApiCorrection | null> {
    const key = this.key('corrections');
    const results = await this.exec('delete corrections', (m) => m.hget(key, id).hdel(key, id));
    const [value, removed] = results as [string | null, number];
    if (value === null || removed !== 1) return null;
    const parsed = parseStoredCorrection(value);
    if ('problem' in parsed) {
      this.logger.warn(`deleted Redis hash "${key}" field "${id}", which was ${parsed.problem}`);
      return null;
    }
    return parsed;
  }

  async gateInputs(sloIds: readonly string[], nowMs: number): Promise<GateInputs> {
    const probe = this.integrity.probe(nowMs);
    const [state, evaluations, freezes, overrides] = await redisCall('read gate inputs', () =>
      (this.redis as unknown as GateScripts).sloGateReadV1(
        this.evaluationsKey,
        this.key('freezes'),
        this.key('overrides'),
        ...probe.keys,
        ...probe.args,
        ...sloIds,
      ),
    );
    return {
      evaluations: evaluations.map((json, i) => (json ? parseStoredEvaluation(this.evaluationsKey, sloIds[i], json) : null)),
      freezes: freezes.map((json) => JSON.parse(json) as Freeze),
      overrides: overrides.map((json) => JSON.parse(json) as Override),
      loss: this.integrity.adopt(state),
    };
  }

  async recordDecision(decision: DecisionRecord, deploy: DeployRecord | null): Promise<void> {
    await redisCall('audit decision', () =>
      (this.redis as unknown as GateScripts).sloGateRecordV1(
        this.key('decisions'),
        this.key('decisions', decision.service),
        this.key('deploys', decision.service),
        JSON.stringify(decision),
        AUDIT_LIMITS.decisions,
        AUDIT_LIMITS.decisionsPerService,
        deploy ? JSON.stringify(deploy) : '',
        AUDIT_LIMITS.deploysPerService,
      ),
    );
  }

  async appendDecision(decision: DecisionRecord): Promise<void> {
    const json = JSON.stringify(decision);
    await this.exec('audit decision', (m) =>
      m
        .lpush(this.key('decisions'), json)
        .ltrim(this.key('decisions'), 0, AUDIT_LIMITS.decisions - 1)
        .lpush(this.key('decisions', decision.service), json)
        .ltrim(this.key('decisions', decision.service), 0, AUDIT_LIMITS.decisionsPerService - 1),
    );
  }
  async listDecisions(query: { service?: string; limit: number }): Promise<DecisionRecord[]> {
    const key = query.service === undefined ? this.key('decisions') : this.key('decisions', query.service);
    return this.range<DecisionRecord>(key, query.limit);
  }
  async appendAdminChange(entry: AdminAuditEntry): Promise<void> {
    const json = JSON.stringify(entry);
    await this.exec('audit change', (m) => m.lpush(this.key('changes'), json).ltrim(this.key('changes'), 0, AUDIT_LIMITS.adminChanges - 1));
  }
  listAdminChanges(limit: number): Promise<AdminAuditEntry[]> {
    return this.range<AdminAuditEntry>(this.key('changes'), limit);
  }
  async recordDeploy(deploy: DeployRecord): Promise<void> {
    const key = this.key('deploys', deploy.service);
    await this.exec('record deploy', (m) => m.lpush(key, JSON.stringify(deploy)).ltrim(key, 0, AUDIT_LIMITS.deploysPerService - 1));
  }
  listDeploys(service: string, limit: number): Promise<DeployRecord[]> {
    return this.range<DeployRecord>(this.key('deploys', service), limit);
  }

  private async put(hash: string, id: string, value: unknown): Promise<void> {
    await redisCall(`save ${hash}`, () => this.redis.hset(this.key(hash), id, JSON.stringify(value)));
  }
  private async all<T>(hash: string): Promise<T[]> {
    const values = await redisCall(`read ${hash}`, () => this.redis.hvals(this.key(hash)));
    return values.map((v) => JSON.parse(v) as T);
  }
  private async remove<T>(hash: string, id: string): Promise<T | null> {
    // HGET + HDEL in one MULTI: the caller learns what it deleted, and two deletes race safely.
    const results = await this.exec(`delete ${hash}`, (m) => m.hget(this.key(hash), id).hdel(this.key(hash), id));
    const [value, removed] = results as [string | null, number];
    return value !== null && removed === 1 ? (JSON.parse(value) as T) : null;
  }
  private async range<T>(key: string, limit: number): Promise<T[]> {
    // LRANGE 0 -1 is the whole list: a limit of 0 must read nothing (as in memory)
    if (limit <= 0) return [];
    const values = await redisCall('read audit', () => this.redis.lrange(key, 0, limit - 1));
    return values.map((v) => JSON.parse(v) as T);
  }
  private async exec(what: string, build: (multi: ReturnType<Redis['multi']>) => ReturnType<Redis['multi']>): Promise<unknown[]> {
    return redisCall(what, async () => {
      const results = (await build(this.redis.multi()).exec()) ?? [];
      return results.map(([error, value]) => {
        if (error) throw error;
        return value;
      });
    });
  }
}

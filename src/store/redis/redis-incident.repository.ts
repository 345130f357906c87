import type { Redis } from 'ioredis';
import { INCIDENT_RETENTION_MS, type IncidentRecord } from '../../incidents/domain/incident';
import { followUpPending } from '../../incidents/domain/postmortem';
import {
  IncidentPage,
  IncidentQuery,
  IncidentRepository,
  parseStoredIncident,
  serializeIncident,
  StoredIncident,
} from '../../incidents/ports/incident.repository';
import { redisCall } from './redis-call';

/**
 * Writes an incident unless its id is stored; an open one only if its service has no open incident
 * (then it becomes it). KEYS: record, open hash, index, service index, follow-ups.
 * ARGV: id, json, detectedAt, service, open (1/0), ttl ms (resolved), follow-up (1/0). → 1 written, 0 not.
 */
const INSERT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[5] == '1' then
  if redis.call('HEXISTS', KEYS[2], ARGV[4]) == 1 then return 0 end
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[1])
  redis.call('SET', KEYS[1], ARGV[2])
else
  local ttl = tonumber(ARGV[6])
  if ttl <= 0 then return 0 end
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
if ARGV[7] == '1' then redis.call('SADD', KEYS[5], ARGV[1]) end
return 1
`;

/**
 * Compare-and-set of one incident. KEYS: record, open hash, follow-ups.
 * ARGV: expected json, new json, service, id, resolved (1/0), ttl ms, follow-up (1/0). → 1 written, 0 not.
 */
const UPDATE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[5] == '1' then
  if redis.call('HGET', KEYS[2], ARGV[3]) == ARGV[4] then redis.call('HDEL', KEYS[2], ARGV[3]) end
  local ttl = tonumber(ARGV[6])
  if ttl < 1 then ttl = 1 end
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[2])
end
if ARGV[7] == '1' then redis.call('SADD', KEYS[3], ARGV[4]) else redis.call('SREM', KEYS[3], ARGV[4]) end
return 1
`;

/** Drops an open-incident entry whose record is gone. KEYS: open hash, record. ARGV: service, id. */
const DROP_DANGLING_LUA = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] and redis.call('EXISTS', KEYS[2]) == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

interface IncidentScripts {
  sloIncidentInsertV1(...args: Array<string | number>): Promise<number>;
  sloIncidentUpdateV1(...args: Array<string | number>): Promise<number>;
  sloIncidentDropDanglingV1(...args: Array<string | number>): Promise<number>;
}

/** Members read from an index per round while listing. */
const SCAN_BATCH = 200;

/**
 * Incidents in Redis: `incident:{id}` (JSON, expiring 400 days after the resolve), `incidents:open`
 * (hash service → id of its open incident), `incidents:index` and `incidents:index:{service}`
 * (sorted sets by detectedAt, trimmed as expired members are met) and `incidents:followups` (ids
 * with a postmortem or action item pending). Opening and updating are Lua scripts: atomic, so one
 * record per incident however many replicas run.
 */
export class RedisIncidentRepository implements IncidentRepository {
  private readonly scripts: IncidentScripts;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('sloIncidentInsertV1', { numberOfKeys: 5, lua: INSERT_LUA });
    redis.defineCommand('sloIncidentUpdateV1', { numberOfKeys: 3, lua: UPDATE_LUA });
    redis.defineCommand('sloIncidentDropDanglingV1', { numberOfKeys: 2, lua: DROP_DANGLING_LUA });
    this.scripts = redis as unknown as IncidentScripts;
  }

  private recordKey(id: string): string {
    return `${this.prefix}incident:${id}`;
  }
  private get openKey(): string {
    return `${this.prefix}incidents:open`;
  }
  private indexKey(service?: string): string {
    return service === undefined ? `${this.prefix}incidents:index` : `${this.prefix}incidents:index:${service}`;
  }
  private get followUpsKey(): string {
    return `${this.prefix}incidents:followups`;
  }
  private where(id: string): string {
    return `Redis key "${this.recordKey(id)}"`;
  }

  async openIfNone(incident: IncidentRecord, nowMs: number): Promise<boolean> {
    if (incident.state !== 'open') throw new Error('openIfNone: the incident must be open');
    return this.insertIfAbsent(incident, nowMs);
  }

  async insertIfAbsent(incident: IncidentRecord, nowMs: number): Promise<boolean> {
    const result = await redisCall('open incident', () =>
      this.scripts.sloIncidentInsertV1(
        this.recordKey(incident.id),
        this.openKey,
        this.indexKey(),
        this.indexKey(incident.service),
        this.followUpsKey,
        incident.id,
        serializeIncident(incident),
        incident.detectedAtMs,
        incident.service,
        incident.state === 'open' ? '1' : '0',
        ttlOf(incident, nowMs),
        followUpPending(incident) ? '1' : '0',
      ),
    );
    return result === 1;
  }

  async update(incident: IncidentRecord, expected: string, nowMs: number): Promise<boolean> {
    const result = await redisCall('update incident', () =>
      this.scripts.sloIncidentUpdateV1(
        this.recordKey(incident.id),
        this.openKey,
        this.followUpsKey,
        expected,
        serializeIncident(incident),
        incident.service,
        incident.id,
        incident.state === 'resolved' ? '1' : '0',
        ttlOf(incident, nowMs),
        followUpPending(incident) ? '1' : '0',
      ),
    );
    return result === 1;
  }

  async listOpen(): Promise<StoredIncident[]> {
    const open = await redisCall('read open incidents', () => this.redis.hgetall(this.openKey));
    const entries = Object.entries(open);
    const values = await this.values(entries.map(([, id]) => id));
    const out: StoredIncident[] = [];
    for (const [i, [service, id]] of entries.entries()) {
      const json = values[i];
      if (json === null) {
        await redisCall('repair open incidents', () => this.scripts.sloIncidentDropDanglingV1(this.openKey, this.recordKey(id), service, id));
        continue;
      }
      out.push(parseStoredIncident(id, json, this.where(id), service));
    }
    return out;
  }

  async get(id: string): Promise<StoredIncident | null> {
    const json = await redisCall('read incident', () => this.redis.get(this.recordKey(id)));
    return json === null ? null : parseStoredIncident(id, json, this.where(id));
  }

  async list(query: IncidentQuery): Promise<IncidentPage> {
    const page: IncidentPage = { incidents: [], unreadable: [], next: null };
    const key = this.indexKey(query.service);
    const after = query.after ?? null;
    const max = after ? after.detectedAtMs : (query.toMs ?? '+inf');
    const min = query.fromMs ?? '-inf';
    for (let offset = 0; ; offset += SCAN_BATCH) {
      const flat = await redisCall('list incidents', () => this.redis.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', offset, SCAN_BATCH));
      if (flat.length === 0) return page;
      const members: Array<{ id: string; score: number }> = [];
      for (let i = 0; i < flat.length; i += 2) members.push({ id: flat[i], score: Number(flat[i + 1]) });
      const wanted = members.filter((m) => !(after && m.score === after.detectedAtMs && m.id >= after.id));
      const values = await this.values(wanted.map((m) => m.id));
      const gone: string[] = [];
      for (const [i, { id }] of wanted.entries()) {
        const json = values[i];
        if (json === null) {
          gone.push(id);
          continue;
        }
        const stored = parseStoredIncident(id, json, this.where(id));
        if (!stored.incident) {
          page.unreadable.push(stored.unreadable!);
          continue;
        }
        if (query.state !== undefined && stored.incident.state !== query.state) continue;
        if (page.incidents.length === query.limit) {
          const last = page.incidents[page.incidents.length - 1];
          page.next = { detectedAtMs: last.detectedAtMs, id: last.id };
          return page;
        }
        page.incidents.push(stored.incident);
      }
      if (gone.length > 0) {
        // expired records: their index members go too (the offset moves back by as many)
        await redisCall('trim incident index', () => this.redis.zrem(key, ...gone));
        offset -= gone.length;
      }
      if (members.length < SCAN_BATCH) return page;
    }
  }

  async listFollowUps(): Promise<StoredIncident[]> {
    const ids = await redisCall('read incident follow-ups', () => this.redis.smembers(this.followUpsKey));
    const values = await this.values(ids);
    const out: StoredIncident[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const json = values[i];
      if (json === null) gone.push(id);
      else out.push(parseStoredIncident(id, json, this.where(id)));
    });
    if (gone.length > 0) await redisCall('trim incident follow-ups', () => this.redis.srem(this.followUpsKey, ...gone));
    return out;
  }

  private async values(ids: readonly string[]): Promise<Array<string | null>> {
    if (ids.length === 0) return [];
    return redisCall('read incidents', () => this.redis.mget(...ids.map((id) => this.recordKey(id))));
  }
}

/** Milliseconds a resolved incident is still kept: 400 days after its resolve, on the writer's clock. */
function ttlOf(incident: IncidentRecord, nowMs: number): number {
  return Math.round((incident.resolvedAtMs ?? nowMs) + INCIDENT_RETENTION_MS - nowMs);
}

import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AdminAuditEntry } from '../../common/admin-audit';
import type { Silence, SilenceRepository } from '../../alerting/silences/silence';
import {
  AUDIT_LIMITS,
  DecisionRecord,
  DeployRecord,
  Freeze,
  Override,
  PolicyStateRepository,
} from '../../policies/ports/policy-state.repository';
import { ApiCorrection, CorrectionRepository, parseStoredCorrection } from '../../policies/ports/correction.repository';
import { redisCall } from './redis-call';

/**
 * Freezes, overrides, silences and corrections in hashes (id → JSON); decisions, admin changes and
 * deploys in capped lists, newest first (LPUSH + LTRIM in one MULTI).
 */
export class RedisPolicyStateRepository implements PolicyStateRepository, SilenceRepository, CorrectionRepository {
  private readonly logger = new Logger('PolicyState');
  /** malformed corrections already logged (field → value): read every cycle, logged once each */
  private readonly unreadableLogged = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

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
